// AVX2 tile kernels for the legacy types: a few weight rows against a few activation rows. Per block,
// each weight block is unpacked once, the 32-element integer products of every (weight, activation)
// pair are formed as 8 int32 lanes, and all pairs' lanes are summed together by one hadd tree. The
// integer sums are exact in any order; each output then takes the float step of the single kernel in
// dot_avx2.cpp (the reference's expression), block after block, so it equals vec_dot bit for bit.
#include <array>

#include "backends/cpu/kernels/avx2_blocks.h"
#include "backends/cpu/kernels/dot_kernels.h"
#include "backends/cpu/kernels/tile_dispatch.h"
#include "core/quant/blocks.h"

namespace hearth::cpu {
namespace {

// The float fields of a block: d and the offset (m of a weight block, s of a Q8_1 block).
struct Scales {
    float d;
    float m;
};

HEARTH_AVX2 inline __m256i ones16() { return _mm256_set1_epi16(1); }

// An activation block's quants, and for the types with an offset o, the lanes of o * sum(s), formed
// once per tile instead of once per (weight, activation) pair.
struct OffsetAct {
    __m256i quants;
    __m256i offset_lanes;
};

HEARTH_AVX2 inline OffsetAct prepare_offset(const int8_t* s, int8_t offset) {
    const __m256i quants = load32(s);
    return {quants, _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(offset), quants), ones16())};
}

// Lanes of sum(u * s) for unsigned quants u <= 31 (maddubs cannot saturate, see dot_avx2.cpp).
HEARTH_AVX2 inline __m256i lanes_unsigned(__m256i u, __m256i s) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), ones16());
}

// Lanes of sum((u - offset) * s), as sum(u * s) - offset * sum(s).
HEARTH_AVX2 inline __m256i lanes_offset(__m256i u, const OffsetAct& a) {
    return _mm256_sub_epi32(lanes_unsigned(u, a.quants), a.offset_lanes);
}

struct Q4_0 {
    using Weight = BlockQ4_0;
    using Act = BlockQ8_0;
    using Unpacked = __m256i;
    HEARTH_AVX2 static Unpacked unpack(const Weight& b) { return unpack_nibbles(b.qs); }
    HEARTH_AVX2 static Scales weight_scales(const Weight& b) { return {half_to_float(b.d), 0.0f}; }
    HEARTH_AVX2 static Scales act_scales(const Act& b) { return {half_to_float(b.d), 0.0f}; }
    using Prepared = OffsetAct;
    HEARTH_AVX2 static Prepared prepare(const Act& a) { return prepare_offset(a.qs, 8); }
    HEARTH_AVX2 static __m256i lanes(Unpacked w, const Prepared& a) { return lanes_offset(w, a); }
    static float step(float sum, Scales x, Scales y, int sumi) { return sum + static_cast<float>(sumi) * x.d * y.d; }
};

struct Q4_1 {
    using Weight = BlockQ4_1;
    using Act = BlockQ8_1;
    using Unpacked = __m256i;
    HEARTH_AVX2 static Unpacked unpack(const Weight& b) { return unpack_nibbles(b.qs); }
    HEARTH_AVX2 static Scales weight_scales(const Weight& b) { return {half_to_float(b.d), half_to_float(b.m)}; }
    HEARTH_AVX2 static Scales act_scales(const Act& b) { return {half_to_float(b.d), half_to_float(b.s)}; }
    using Prepared = __m256i;
    HEARTH_AVX2 static Prepared prepare(const Act& a) { return load32(a.qs); }
    HEARTH_AVX2 static __m256i lanes(Unpacked w, Prepared a) { return lanes_unsigned(w, a); }
    static float step(float sum, Scales x, Scales y, int sumi) {
        return sum + ((x.d * y.d) * static_cast<float>(sumi) + x.m * y.m);
    }
};

struct Q5_0 {
    using Weight = BlockQ5_0;
    using Act = BlockQ8_0;
    using Unpacked = __m256i;
    HEARTH_AVX2 static Unpacked unpack(const Weight& b) {
        return _mm256_or_si256(unpack_nibbles(b.qs), spread_high_bits(b.qh));
    }
    HEARTH_AVX2 static Scales weight_scales(const Weight& b) { return {half_to_float(b.d), 0.0f}; }
    HEARTH_AVX2 static Scales act_scales(const Act& b) { return {half_to_float(b.d), 0.0f}; }
    using Prepared = OffsetAct;
    HEARTH_AVX2 static Prepared prepare(const Act& a) { return prepare_offset(a.qs, 16); }
    HEARTH_AVX2 static __m256i lanes(Unpacked w, const Prepared& a) { return lanes_offset(w, a); }
    static float step(float sum, Scales x, Scales y, int sumi) { return sum + (x.d * y.d) * static_cast<float>(sumi); }
};

struct Q5_1 {
    using Weight = BlockQ5_1;
    using Act = BlockQ8_1;
    using Unpacked = __m256i;
    HEARTH_AVX2 static Unpacked unpack(const Weight& b) {
        return _mm256_or_si256(unpack_nibbles(b.qs), spread_high_bits(b.qh));
    }
    HEARTH_AVX2 static Scales weight_scales(const Weight& b) { return {half_to_float(b.d), half_to_float(b.m)}; }
    HEARTH_AVX2 static Scales act_scales(const Act& b) { return {half_to_float(b.d), half_to_float(b.s)}; }
    using Prepared = __m256i;
    HEARTH_AVX2 static Prepared prepare(const Act& a) { return load32(a.qs); }
    HEARTH_AVX2 static __m256i lanes(Unpacked w, Prepared a) { return lanes_unsigned(w, a); }
    static float step(float sum, Scales x, Scales y, int sumi) {
        return sum + ((x.d * y.d) * static_cast<float>(sumi) + x.m * y.m);
    }
};

// Q8_0 quants widened to int16 once per weight block, so that -128 * -128 stays exact.
struct Widened {
    __m256i lo;
    __m256i hi;
};

HEARTH_AVX2 inline __m256i widen16(const int8_t* p) {
    return _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

struct Q8_0 {
    using Weight = BlockQ8_0;
    using Act = BlockQ8_0;
    using Unpacked = Widened;
    HEARTH_AVX2 static Unpacked unpack(const Weight& b) { return {widen16(b.qs), widen16(b.qs + 16)}; }
    HEARTH_AVX2 static Scales weight_scales(const Weight& b) { return {half_to_float(b.d), 0.0f}; }
    HEARTH_AVX2 static Scales act_scales(const Act& b) { return {half_to_float(b.d), 0.0f}; }
    using Prepared = Widened;
    HEARTH_AVX2 static Prepared prepare(const Act& a) { return {widen16(a.qs), widen16(a.qs + 16)}; }
    HEARTH_AVX2 static __m256i lanes(const Unpacked& w, const Prepared& a) {
        return _mm256_add_epi32(_mm256_madd_epi16(w.lo, a.lo), _mm256_madd_epi16(w.hi, a.hi));
    }
    static float step(float sum, Scales x, Scales y, int sumi) { return sum + static_cast<float>(sumi) * (x.d * y.d); }
};

template <class T>
const typename T::Weight* weight_row(const TileArgs& args, int r) {
    return reinterpret_cast<const typename T::Weight*>(args.weights + static_cast<uint64_t>(r) * args.weight_stride);
}

template <class T>
const typename T::Act* act_row(const TileArgs& args, int c) {
    return reinterpret_cast<const typename T::Act*>(args.acts + static_cast<uint64_t>(c) * args.act_stride);
}

// R weight rows x C activation rows; output k = r * C + c.
template <class T, int R, int C>
HEARTH_AVX2 void tile(const TileArgs& args) {
    constexpr int kOut = R * C;
    static_assert(kOut <= kTileMaxOutputs && C <= kTileMaxActRows);
    std::array<const typename T::Weight*, R> x;
    std::array<const typename T::Act*, C> y;
    for (int r = 0; r < R; ++r) x[static_cast<size_t>(r)] = weight_row<T>(args, r);
    for (int c = 0; c < C; ++c) y[static_cast<size_t>(c)] = act_row<T>(args, c);
    std::array<float, kOut> sums{};
    for (int64_t i = 0; i < args.nblocks; ++i) {
        __m256i lanes[kOut];
        std::array<Scales, R> xs;
        std::array<Scales, C> ys;
        typename T::Prepared prepared[C];
        for (int c = 0; c < C; ++c) {
            ys[static_cast<size_t>(c)] = T::act_scales(y[static_cast<size_t>(c)][i]);
            prepared[c] = T::prepare(y[static_cast<size_t>(c)][i]);
        }
        for (int r = 0; r < R; ++r) {
            const auto& block = x[static_cast<size_t>(r)][i];
            xs[static_cast<size_t>(r)] = T::weight_scales(block);
            const typename T::Unpacked w = T::unpack(block);
            for (int c = 0; c < C; ++c)
                lanes[r * C + c] = T::lanes(w, prepared[c]);
        }
        int sumi[kOut];
        lane_totals<kOut>(lanes, sumi);
        for (int r = 0; r < R; ++r)
            for (int c = 0; c < C; ++c) {
                const auto k = static_cast<size_t>(r * C + c);
                sums[k] = T::step(sums[k], xs[static_cast<size_t>(r)], ys[static_cast<size_t>(c)], sumi[k]);
            }
    }
    for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c) args.out[c * args.out_stride + r] = sums[static_cast<size_t>(r * C + c)];
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

TileKernels avx2_tile_kernels() {
    TileKernels k;
    k.q4_0 = tile_kernel<Q4_0>;
    k.q4_1 = tile_kernel<Q4_1>;
    k.q5_0 = tile_kernel<Q5_0>;
    k.q5_1 = tile_kernel<Q5_1>;
    k.q8_0 = tile_kernel<Q8_0>;
    return k;
}

}  // namespace hearth::cpu
