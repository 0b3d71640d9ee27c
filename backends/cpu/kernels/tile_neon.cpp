// NEON tile and decode kernels for the legacy types (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0). Batches of 4+ rows
// take tiles of R weight rows x C activation rows (tile_dispatch.h) whose float lanes are activation
// rows: each weight block is unpacked and its scales widened once for the C rows. Decode (1-3 rows)
// takes up to 8 weight rows in float lanes for each activation row, whose block and scales are then
// read once for the 8 rows. SDOT forms each integer block sum (exact in any order) and two ADDPs
// gather four of them into one register; the float steps then run four outputs a register, each
// lane repeating the single dot's expressions in its order (dot_neon.cpp: separate multiplies and
// adds, the build keeps -ffp-contract=off), so every output equals vec_dot bit for bit. Target
// attributes: see neon_blocks.h.
#include <algorithm>

#include "backends/cpu/kernels/dot_kernels.h"
#include "backends/cpu/kernels/neon_blocks.h"
#include "backends/cpu/kernels/tile_dispatch.h"
#include "core/quant/blocks.h"

namespace hearth::cpu {
namespace {

constexpr int kLanes = 4;  // outputs a float register holds
static_assert(kTileMaxActRows <= kLanes);

// Lane j: field f of block i of rows[j] (an f16 scale) widened, for j < N; lanes from N on: zero.
template <int N, class Block>
HEARTH_DOTPROD inline float32x4_t widen_lanes(const Block* const* rows, int64_t i, uint16_t Block::*f) {
    static_assert(N <= kLanes);
    uint16x4_t h = vdup_n_u16(0);
    if constexpr (N > 0) h = vld1_lane_u16(&(rows[0][i].*f), h, 0);
    if constexpr (N > 1) h = vld1_lane_u16(&(rows[1][i].*f), h, 1);
    if constexpr (N > 2) h = vld1_lane_u16(&(rows[2][i].*f), h, 2);
    if constexpr (N > 3) h = vld1_lane_u16(&(rows[3][i].*f), h, 3);
    return vcvt_f32_f16(vreinterpret_f16_u16(h));
}

// A block's scales, one per lane or the same in every lane: d, and m (weights with a minimum) or s
// (Q8_1 activations: d times the sum of the quants); zero where a block has no such field.
struct Scales {
    float32x4_t d;
    float32x4_t m_or_s = vdupq_n_f32(0.0f);
};

template <int N, class Block>
HEARTH_DOTPROD inline Scales scales_of(const Block* const* rows, int64_t i) {
    Scales out{widen_lanes<N>(rows, i, &Block::d)};
    if constexpr (requires { &Block::m; }) out.m_or_s = widen_lanes<N>(rows, i, &Block::m);
    if constexpr (requires { &Block::s; }) out.m_or_s = widen_lanes<N>(rows, i, &Block::s);
    return out;
}

template <class Block>
HEARTH_DOTPROD inline Scales same_scales(const Block& b) {
    Scales out{vdupq_n_f32(half_to_float(b.d))};
    if constexpr (requires { &Block::m; }) out.m_or_s = vdupq_n_f32(half_to_float(b.m));
    if constexpr (requires { &Block::s; }) out.m_or_s = vdupq_n_f32(half_to_float(b.s));
    return out;
}

// The integer sums of four pairs (weight quants w[j], activation quants at y[j]) in lanes j; pairs
// from N on count zero. SDOT's partial sums are exact, so any order gives the single dot's sums.
template <int N>
HEARTH_DOTPROD inline __attribute__((always_inline)) int32x4_t pair_sums(const BlockQuants* const (&w)[N], const int8_t* const (&y)[N]) {
    int32x4_t acc[kLanes];
    for (int j = 0; j < kLanes; ++j) {
        acc[j] = vdupq_n_s32(0);
        if (j < N) acc[j] = vdotq_s32(vdotq_s32(acc[j], w[j]->lo, vld1q_s8(y[j])), w[j]->hi, vld1q_s8(y[j] + 16));
    }
    return vpaddq_s32(vpaddq_s32(acc[0], acc[1]), vpaddq_s32(acc[2], acc[3]));
}

// Each type: its blocks, its quants as signed bytes, and `step`, the single dot's float step
// (dot_neon.cpp) on four outputs, with the weight scales w and activation scales a of each lane.
struct Q4_0 {
    using Block = BlockQ4_0;
    using Act = BlockQ8_0;
    HEARTH_DOTPROD static BlockQuants quants(const Block& x) {
        const uint8x16_t q = vld1q_u8(x.qs);
        const int8x16_t eight = vdupq_n_s8(8);
        return {vsubq_s8(low_nibbles(q), eight), vsubq_s8(high_nibbles(q), eight)};
    }
    // sum += float(sumi) * dx * dy
    HEARTH_DOTPROD static float32x4_t step(float32x4_t sum, int32x4_t sumi, const Scales& w, const Scales& a) {
        return vaddq_f32(sum, vmulq_f32(vmulq_f32(vcvtq_f32_s32(sumi), w.d), a.d));
    }
};

// sum += (dx * dy) * float(sumi) + mx * sy: Q4_1 and Q5_1.
HEARTH_DOTPROD inline float32x4_t step_with_min(float32x4_t sum, int32x4_t sumi, const Scales& w, const Scales& a) {
    const float32x4_t scaled = vmulq_f32(vmulq_f32(w.d, a.d), vcvtq_f32_s32(sumi));
    return vaddq_f32(sum, vaddq_f32(scaled, vmulq_f32(w.m_or_s, a.m_or_s)));
}

struct Q4_1 {
    using Block = BlockQ4_1;
    using Act = BlockQ8_1;
    HEARTH_DOTPROD static BlockQuants quants(const Block& x) {
        const uint8x16_t q = vld1q_u8(x.qs);
        return {low_nibbles(q), high_nibbles(q)};
    }
    HEARTH_DOTPROD static float32x4_t step(float32x4_t sum, int32x4_t sumi, const Scales& w, const Scales& a) {
        return step_with_min(sum, sumi, w, a);
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
    HEARTH_DOTPROD static float32x4_t step(float32x4_t sum, int32x4_t sumi, const Scales& w, const Scales& a) {
        return vaddq_f32(sum, vmulq_f32(vmulq_f32(w.d, a.d), vcvtq_f32_s32(sumi)));
    }
};

struct Q5_1 {
    using Block = BlockQ5_1;
    using Act = BlockQ8_1;
    HEARTH_DOTPROD static BlockQuants quants(const Block& x) { return unpack_q5(x.qs, x.qh); }
    HEARTH_DOTPROD static float32x4_t step(float32x4_t sum, int32x4_t sumi, const Scales& w, const Scales& a) {
        return step_with_min(sum, sumi, w, a);
    }
};

struct Q8_0 {
    using Block = BlockQ8_0;
    using Act = BlockQ8_0;
    HEARTH_DOTPROD static BlockQuants quants(const Block& x) { return {vld1q_s8(x.qs), vld1q_s8(x.qs + 16)}; }
    // sum += float(sumi) * (dx * dy)
    HEARTH_DOTPROD static float32x4_t step(float32x4_t sum, int32x4_t sumi, const Scales& w, const Scales& a) {
        return vaddq_f32(sum, vmulq_f32(vcvtq_f32_s32(sumi), vmulq_f32(w.d, a.d)));
    }
};

template <class Block>
const Block* row_at(const uint8_t* base, uint64_t stride, int r) {
    return reinterpret_cast<const Block*>(base + static_cast<uint64_t>(r) * stride);
}

// R weight rows x C activation rows (batches): register r holds weight row r's outputs, lane c
// activation row c's; each weight block is unpacked once for the C rows.
template <class T, int R, int C>
HEARTH_DOTPROD void act_lanes_tile(const TileArgs& args) {
    static_assert(R * C <= kTileMaxOutputs && C <= kTileMaxActRows);
    using Block = typename T::Block;
    using Act = typename T::Act;
    const Block* x[R];
    for (int r = 0; r < R; ++r) x[r] = row_at<Block>(args.weights, args.weight_stride, r);
    const Act* y[C];
    for (int c = 0; c < C; ++c) y[c] = row_at<Act>(args.acts, args.act_stride, c);
    float32x4_t sums[R];
    for (int r = 0; r < R; ++r) sums[r] = vdupq_n_f32(0.0f);
    for (int64_t i = 0; i < args.nblocks; ++i) {
        const Scales a = scales_of<C>(y, i);
        const int8_t* qs[C];
        for (int c = 0; c < C; ++c) qs[c] = y[c][i].qs;
        for (int r = 0; r < R; ++r) {
            const BlockQuants q = T::quants(x[r][i]);
            const BlockQuants* w[C];
            for (int c = 0; c < C; ++c) w[c] = &q;
            sums[r] = T::step(sums[r], pair_sums<C>(w, qs), same_scales(x[r][i]), a);
        }
    }
    for (int r = 0; r < R; ++r) {
        float lanes[kLanes];
        vst1q_f32(lanes, sums[r]);
        for (int c = 0; c < C; ++c) args.out[c * args.out_stride + r] = lanes[c];
    }
}

// Lanes j < N: weight rows x[j] of block i against one activation block (quants qs, scales a).
template <class T, int N>
HEARTH_DOTPROD inline __attribute__((always_inline)) float32x4_t group_step(float32x4_t sum, const typename T::Block* const* x,
                                                                           int64_t i, const int8_t* qs, const Scales& a) {
    BlockQuants q[N];
    const BlockQuants* w[N];
    const int8_t* y[N];
    for (int j = 0; j < N; ++j) {
        q[j] = T::quants(x[j][i]);
        w[j] = &q[j];
        y[j] = qs;
    }
    return T::step(sum, pair_sums<N>(w, y), scales_of<N>(x, i), a);
}

// R weight rows x one activation row (decode): lane j of register g holds weight row 4 g + j's
// output; the activation block is read and its scales widened once for the R rows.
template <class T, int R>
HEARTH_DOTPROD void weight_lanes_tile(const TileArgs& args) {
    static_assert(R <= kTileMaxOutputs && R <= 2 * kLanes);
    using Block = typename T::Block;
    constexpr int kGroups = (R + kLanes - 1) / kLanes;
    const Block* x[R];
    for (int r = 0; r < R; ++r) x[r] = row_at<Block>(args.weights, args.weight_stride, r);
    const auto* y = reinterpret_cast<const typename T::Act*>(args.acts);
    float32x4_t sums[kGroups];
    for (int g = 0; g < kGroups; ++g) sums[g] = vdupq_n_f32(0.0f);
    for (int64_t i = 0; i < args.nblocks; ++i) {
        const Scales a = same_scales(y[i]);
        sums[0] = group_step<T, std::min(R, kLanes)>(sums[0], x, i, y[i].qs, a);
        if constexpr (R > kLanes) sums[1] = group_step<T, R - kLanes>(sums[1], x + kLanes, i, y[i].qs, a);
    }
    for (int g = 0; g < kGroups; ++g) {
        float lanes[kLanes];
        vst1q_f32(lanes, sums[g]);
        for (int j = 0; j < kLanes && g * kLanes + j < R; ++j) args.out[g * kLanes + j] = lanes[j];
    }
}

template <class T>
struct ActLanesTile {
    template <int R, int C>
    static void run(const TileArgs& args) { act_lanes_tile<T, R, C>(args); }
};

// Batches of 2+ rows (run_tiles hands tiles of up to 4 activation rows).
template <class T>
void tile_kernel(const TileArgs& args, TileShape shape) {
    dispatch_tile_shape<ActLanesTile<T>>(args, shape);
}

template <class T>
struct WeightLanesTile {
    template <int R, int C>
    static void run(const TileArgs& args) { weight_lanes_tile<T, R>(args); }
};

// 1..kDecodeMaxActRows activation rows of up to kTileMaxOutputs weight rows: the weight-lanes tile
// for each activation row in turn.
template <class T>
void decode_kernel(const TileArgs& args, TileShape shape) {
    for (int c = 0; c < shape.act_rows; ++c) {
        TileArgs row = args;
        row.acts += static_cast<uint64_t>(c) * args.act_stride;
        row.out += c * args.out_stride;
        dispatch_tile_shape<WeightLanesTile<T>>(row, {shape.weight_rows, 1});
    }
}

}  // namespace

void add_neon_legacy_tiles(DotKernels& kernels) {
    kernels.tiles.q4_0 = tile_kernel<Q4_0>;
    kernels.tiles.q4_1 = tile_kernel<Q4_1>;
    kernels.tiles.q5_0 = tile_kernel<Q5_0>;
    kernels.tiles.q5_1 = tile_kernel<Q5_1>;
    kernels.tiles.q8_0 = tile_kernel<Q8_0>;
    kernels.decode.q4_0 = decode_kernel<Q4_0>;
    kernels.decode.q4_1 = decode_kernel<Q4_1>;
    kernels.decode.q5_0 = decode_kernel<Q5_0>;
    kernels.decode.q5_1 = decode_kernel<Q5_1>;
    kernels.decode.q8_0 = decode_kernel<Q8_0>;
}

}  // namespace hearth::cpu
