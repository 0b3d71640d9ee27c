#pragma once
// The legacy block types (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0) as the AVX2 decode and GEMM kernels see them:
// how a weight block unpacks, how an activation block is prepared, and the reference's float step
// for 8 outputs in the lanes of a vector (step8: per lane the reference's operations in its order).
// Include only from files whose every caller carries HEARTH_AVX2 (see avx2_blocks.h).
#include "backends/cpu/kernels/avx2_blocks.h"
#include "backends/cpu/kernels/dot_kernels.h"
#include "core/quant/blocks.h"

namespace hearth::cpu {
namespace {

// The float fields of a block: d and the offset (m of a weight block, s of a Q8_1 block).
struct Scales {
    float d;
    float m;
};

// The same fields for 8 outputs at once, lane k being output k.
struct LaneScales {
    __m256 xd, xm, yd, ym;
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

struct Q4_0 {
    using Weight = BlockQ4_0;
    using Act = BlockQ8_0;
    using Unpacked = __m256i;
    HEARTH_AVX2 static Unpacked unpack(const Weight& b) { return unpack_nibbles(b.qs); }
    HEARTH_AVX2 static Scales act_scales(const Act& b) { return {half_to_float(b.d), 0.0f}; }
    using Prepared = OffsetAct;
    HEARTH_AVX2 static Prepared prepare(const Act& a) { return prepare_offset(a.qs, 8); }
    static constexpr bool kHasMin = false;
    HEARTH_AVX2 static __m256 step8(__m256 sum, const LaneScales& s, __m256 sumi) {
        return _mm256_add_ps(sum, _mm256_mul_ps(_mm256_mul_ps(sumi, s.xd), s.yd));
    }
};

struct Q4_1 {
    using Weight = BlockQ4_1;
    using Act = BlockQ8_1;
    using Unpacked = __m256i;
    HEARTH_AVX2 static Unpacked unpack(const Weight& b) { return unpack_nibbles(b.qs); }
    HEARTH_AVX2 static Scales act_scales(const Act& b) { return {half_to_float(b.d), half_to_float(b.s)}; }
    using Prepared = __m256i;
    HEARTH_AVX2 static Prepared prepare(const Act& a) { return load32(a.qs); }
    static constexpr bool kHasMin = true;
    HEARTH_AVX2 static __m256 step8(__m256 sum, const LaneScales& s, __m256 sumi) {
        return _mm256_add_ps(sum, _mm256_add_ps(_mm256_mul_ps(_mm256_mul_ps(s.xd, s.yd), sumi),
                                                _mm256_mul_ps(s.xm, s.ym)));
    }
};

struct Q5_0 {
    using Weight = BlockQ5_0;
    using Act = BlockQ8_0;
    using Unpacked = __m256i;
    HEARTH_AVX2 static Unpacked unpack(const Weight& b) {
        return _mm256_or_si256(unpack_nibbles(b.qs), spread_high_bits(b.qh));
    }
    HEARTH_AVX2 static Scales act_scales(const Act& b) { return {half_to_float(b.d), 0.0f}; }
    using Prepared = OffsetAct;
    HEARTH_AVX2 static Prepared prepare(const Act& a) { return prepare_offset(a.qs, 16); }
    static constexpr bool kHasMin = false;
    HEARTH_AVX2 static __m256 step8(__m256 sum, const LaneScales& s, __m256 sumi) {
        return _mm256_add_ps(sum, _mm256_mul_ps(_mm256_mul_ps(s.xd, s.yd), sumi));
    }
};

struct Q5_1 {
    using Weight = BlockQ5_1;
    using Act = BlockQ8_1;
    using Unpacked = __m256i;
    HEARTH_AVX2 static Unpacked unpack(const Weight& b) {
        return _mm256_or_si256(unpack_nibbles(b.qs), spread_high_bits(b.qh));
    }
    HEARTH_AVX2 static Scales act_scales(const Act& b) { return {half_to_float(b.d), half_to_float(b.s)}; }
    using Prepared = __m256i;
    HEARTH_AVX2 static Prepared prepare(const Act& a) { return load32(a.qs); }
    static constexpr bool kHasMin = true;
    HEARTH_AVX2 static __m256 step8(__m256 sum, const LaneScales& s, __m256 sumi) {
        return _mm256_add_ps(sum, _mm256_add_ps(_mm256_mul_ps(_mm256_mul_ps(s.xd, s.yd), sumi),
                                                _mm256_mul_ps(s.xm, s.ym)));
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
    HEARTH_AVX2 static Scales act_scales(const Act& b) { return {half_to_float(b.d), 0.0f}; }
    using Prepared = Widened;
    HEARTH_AVX2 static Prepared prepare(const Act& a) { return {widen16(a.qs), widen16(a.qs + 16)}; }
    HEARTH_AVX2 static __m256i lanes(const Unpacked& w, const Prepared& a) {
        return _mm256_add_epi32(_mm256_madd_epi16(w.lo, a.lo), _mm256_madd_epi16(w.hi, a.hi));
    }
    static constexpr bool kHasMin = false;
    HEARTH_AVX2 static __m256 step8(__m256 sum, const LaneScales& s, __m256 sumi) {
        return _mm256_add_ps(sum, _mm256_mul_ps(sumi, _mm256_mul_ps(s.xd, s.yd)));
    }
};

template <class T>
const typename T::Weight* weight_row(const TileArgs& args, int r) {
    return reinterpret_cast<const typename T::Weight*>(args.weights + static_cast<uint64_t>(r) * args.weight_stride);
}

template <class T>
const typename T::Act* act_row(const TileArgs& args, int c) {
    return reinterpret_cast<const typename T::Act*>(args.acts + static_cast<uint64_t>(c) * args.act_stride);
}

}  // namespace
}  // namespace hearth::cpu
