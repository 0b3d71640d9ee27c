// NEON tile kernels for the legacy types (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0): R weight rows against C
// activation rows (batches of 2 rows and more; tile_dispatch.h). Per block, each weight row is
// unpacked and its scales widened once for all C activation rows, and each activation row's scales
// once for all R weight rows. SDOT forms the C integer sums of a weight block (exact in any order),
// gathered into one register whose lane c is activation row c's; the float steps then run four
// outputs a register, each lane repeating the single dot's expressions in its order (dot_neon.cpp:
// separate multiplies and adds, the build keeps -ffp-contract=off), so every output equals vec_dot
// bit for bit. Target attributes: see neon_blocks.h.
#include "backends/cpu/kernels/dot_kernels.h"
#include "backends/cpu/kernels/neon_blocks.h"
#include "backends/cpu/kernels/tile_dispatch.h"
#include "core/quant/blocks.h"

namespace hearth::cpu {
namespace {

constexpr int kLanes = 4;  // activation rows a register holds (kTileMaxActRows)
static_assert(kTileMaxActRows <= kLanes);

// Lane c: the scale d (and for Q8_1 the sum s) of activation row c's block; lanes from C on: zero.
struct ActScales {
    float32x4_t d;
    float32x4_t s;
};

template <int C, class Act>
HEARTH_DOTPROD inline ActScales act_scales(const Act* const (&y)[C], int64_t i) {
    uint16x4_t d = vdup_n_u16(0), s = vdup_n_u16(0);
    if constexpr (C > 0) d = vld1_lane_u16(&y[0][i].d, d, 0);
    if constexpr (C > 1) d = vld1_lane_u16(&y[1][i].d, d, 1);
    if constexpr (C > 2) d = vld1_lane_u16(&y[2][i].d, d, 2);
    if constexpr (C > 3) d = vld1_lane_u16(&y[3][i].d, d, 3);
    if constexpr (requires { y[0][i].s; }) {
        if constexpr (C > 0) s = vld1_lane_u16(&y[0][i].s, s, 0);
        if constexpr (C > 1) s = vld1_lane_u16(&y[1][i].s, s, 1);
        if constexpr (C > 2) s = vld1_lane_u16(&y[2][i].s, s, 2);
        if constexpr (C > 3) s = vld1_lane_u16(&y[3][i].s, s, 3);
    }
    return {vcvt_f32_f16(vreinterpret_f16_u16(d)), vcvt_f32_f16(vreinterpret_f16_u16(s))};
}

// Lane c: the sum of one weight block's 32 quants (lo, hi) times activation row c's (qs[c]).
template <int C>
HEARTH_DOTPROD inline int32x4_t block_sums(const BlockQuants& w, const int8_t* const (&qs)[C]) {
    int32x4_t acc[kLanes];
    for (int c = 0; c < kLanes; ++c) {
        acc[c] = vdupq_n_s32(0);
        if (c < C) acc[c] = vdotq_s32(vdotq_s32(acc[c], w.lo, vld1q_s8(qs[c])), w.hi, vld1q_s8(qs[c] + 16));
    }
    return vpaddq_s32(vpaddq_s32(acc[0], acc[1]), vpaddq_s32(acc[2], acc[3]));
}

// Each type: its blocks, its quants as signed bytes, and `step`, the single dot's float step
// (dot_neon.cpp) with the activation side in lanes.
struct Q4_0 {
    using Block = BlockQ4_0;
    using Act = BlockQ8_0;
    HEARTH_DOTPROD static BlockQuants quants(const Block& x) {
        const uint8x16_t q = vld1q_u8(x.qs);
        const int8x16_t eight = vdupq_n_s8(8);
        return {vsubq_s8(low_nibbles(q), eight), vsubq_s8(high_nibbles(q), eight)};
    }
    // sum += float(sumi) * dx * dy
    HEARTH_DOTPROD static float32x4_t step(float32x4_t sum, int32x4_t sumi, const Block& x, const ActScales& a) {
        return vaddq_f32(sum, vmulq_f32(vmulq_n_f32(vcvtq_f32_s32(sumi), half_to_float(x.d)), a.d));
    }
};

// sum += (dx * dy) * float(sumi) + mx * sy: Q4_1 and Q5_1.
template <class Block>
HEARTH_DOTPROD inline float32x4_t step_with_min(float32x4_t sum, int32x4_t sumi, const Block& x, const ActScales& a) {
    const float32x4_t scaled = vmulq_f32(vmulq_n_f32(a.d, half_to_float(x.d)), vcvtq_f32_s32(sumi));
    return vaddq_f32(sum, vaddq_f32(scaled, vmulq_n_f32(a.s, half_to_float(x.m))));
}

struct Q4_1 {
    using Block = BlockQ4_1;
    using Act = BlockQ8_1;
    HEARTH_DOTPROD static BlockQuants quants(const Block& x) {
        const uint8x16_t q = vld1q_u8(x.qs);
        return {low_nibbles(q), high_nibbles(q)};
    }
    HEARTH_DOTPROD static float32x4_t step(float32x4_t sum, int32x4_t sumi, const Block& x, const ActScales& a) {
        return step_with_min(sum, sumi, x, a);
    }
};

struct Q5_0 {
    using Block = BlockQ5_0;
    using Act = BlockQ8_0;
    HEARTH_DOTPROD static BlockQuants quants(const Block& x) {
        const BlockQuants q = unpack_q5(x.qs, x.qh);
        const int8x16_t sixteen = vdupq_n_s8(16);
        return {vsubq_s8(q.lo, sixteen), vsubq_s8(q.hi, sixteen)};
    }
    // sum += (dx * dy) * float(sumi)
    HEARTH_DOTPROD static float32x4_t step(float32x4_t sum, int32x4_t sumi, const Block& x, const ActScales& a) {
        return vaddq_f32(sum, vmulq_f32(vmulq_n_f32(a.d, half_to_float(x.d)), vcvtq_f32_s32(sumi)));
    }
};

struct Q5_1 {
    using Block = BlockQ5_1;
    using Act = BlockQ8_1;
    HEARTH_DOTPROD static BlockQuants quants(const Block& x) { return unpack_q5(x.qs, x.qh); }
    HEARTH_DOTPROD static float32x4_t step(float32x4_t sum, int32x4_t sumi, const Block& x, const ActScales& a) {
        return step_with_min(sum, sumi, x, a);
    }
};

struct Q8_0 {
    using Block = BlockQ8_0;
    using Act = BlockQ8_0;
    HEARTH_DOTPROD static BlockQuants quants(const Block& x) { return {vld1q_s8(x.qs), vld1q_s8(x.qs + 16)}; }
    // sum += float(sumi) * (dx * dy)
    HEARTH_DOTPROD static float32x4_t step(float32x4_t sum, int32x4_t sumi, const Block& x, const ActScales& a) {
        return vaddq_f32(sum, vmulq_f32(vcvtq_f32_s32(sumi), vmulq_n_f32(a.d, half_to_float(x.d))));
    }
};

// R weight rows x C activation rows; register r holds weight row r's outputs, lane c activation row c's.
template <class T, int R, int C>
HEARTH_DOTPROD void tile(const TileArgs& args) {
    static_assert(R * C <= kTileMaxOutputs && C <= kTileMaxActRows);
    using Block = typename T::Block;
    using Act = typename T::Act;
    const Block* x[R];
    for (int r = 0; r < R; ++r) x[r] = reinterpret_cast<const Block*>(args.weights + static_cast<uint64_t>(r) * args.weight_stride);
    const Act* y[C];
    for (int c = 0; c < C; ++c) y[c] = reinterpret_cast<const Act*>(args.acts + static_cast<uint64_t>(c) * args.act_stride);
    float32x4_t sums[R];
    for (int r = 0; r < R; ++r) sums[r] = vdupq_n_f32(0.0f);
    for (int64_t i = 0; i < args.nblocks; ++i) {
        const ActScales a = act_scales<C>(y, i);
        const int8_t* qs[C];
        for (int c = 0; c < C; ++c) qs[c] = y[c][i].qs;
        for (int r = 0; r < R; ++r) sums[r] = T::step(sums[r], block_sums<C>(T::quants(x[r][i]), qs), x[r][i], a);
    }
    for (int r = 0; r < R; ++r) {
        float lanes[kLanes];
        vst1q_f32(lanes, sums[r]);
        for (int c = 0; c < C; ++c) args.out[c * args.out_stride + r] = lanes[c];
    }
}

template <class T>
struct LegacyTile {
    template <int R, int C>
    static void run(const TileArgs& args) { tile<T, R, C>(args); }
};

template <class T>
void tile_kernel(const TileArgs& args, TileShape shape) {
    dispatch_tile_shape<LegacyTile<T>>(args, shape);
}

}  // namespace

void add_neon_legacy_tiles(TileKernels& tiles) {
    tiles.q4_0 = tile_kernel<Q4_0>;
    tiles.q4_1 = tile_kernel<Q4_1>;
    tiles.q5_0 = tile_kernel<Q5_0>;
    tiles.q5_1 = tile_kernel<Q5_1>;
    tiles.q8_0 = tile_kernel<Q8_0>;
}

}  // namespace hearth::cpu
