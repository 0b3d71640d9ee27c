#pragma once
// The legacy block types (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0) as the AVX-512 VNNI GEMM and panel kernels
// see them: weight quants made unsigned (nibbles as they are, Q8_0 quants + 128) so that vpdpbusd forms
// the products with int8 activations exactly, the type's offset (taken out as offset * sum of the
// activation quants), its offset-term fields, and its float expression for 16 outputs in the lanes of
// a register (per lane the reference's operations in its order). Include only from files whose every
// caller carries HEARTH_AVX512, after the GCC 12 pragmas of avx512_blocks.h.
#include <cstring>

#include "backends/cpu/kernels/avx512_blocks.h"
#include "backends/cpu/kernels/dot_kernels.h"
#include "core/quant/blocks.h"

namespace hearth::cpu {
namespace {

// The float fields of every (output, block) lane: d and the offset term's factor (m, or s of Q8_1).
struct LaneScales {
    __m512 xd, yd, xm, ym;
};

// The 32 nibbles of each block in element order: low nibbles, then high nibbles.
HEARTH_AVX512 inline __m512i unpack_nibble_blocks(const uint8_t* qs0, const uint8_t* qs1) {
    const __m256i first = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(qs0)));
    const __m256i second = qs1 != nullptr
        ? _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(qs1)))
        : _mm256_setzero_si256();
    const __m512i both = _mm512_inserti64x4(_mm512_castsi256_si512(first), second, 1);
    const __m512i shifts = _mm512_setr_epi64(0, 0, 4, 4, 0, 0, 4, 4);
    return _mm512_and_si512(_mm512_srlv_epi64(both, shifts), _mm512_set1_epi8(0x0F));
}

// 0x10 in byte e of block b where bit e of that block's qh is set.
HEARTH_AVX512 inline __m512i high_bit_blocks(const uint8_t* qh0, const uint8_t* qh1) {
    uint32_t low = 0;
    uint32_t high = 0;
    std::memcpy(&low, qh0, sizeof(low));
    if (qh1 != nullptr) std::memcpy(&high, qh1, sizeof(high));
    return _mm512_maskz_mov_epi8(static_cast<__mmask64>(high) << 32 | low, _mm512_set1_epi8(0x10));
}

HEARTH_AVX512 inline __m512i load_quant_blocks(const int8_t* qs0, const int8_t* qs1) {
    const __m256i first = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qs0));
    if (qs1 == nullptr) return _mm512_zextsi256_si512(first);
    return _mm512_inserti64x4(_mm512_castsi256_si512(first), _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qs1)), 1);
}

// What each type adds to the shared step: its weight unpacking (next is null for a step of one
// block), offset, offset-term fields and float expression.
struct Q4_0 {
    using Weight = BlockQ4_0;
    using Act = BlockQ8_0;
    static constexpr int kOffset = 8;
    HEARTH_AVX512 static __m512i unpack(const Weight* b, const Weight* next) {
        return unpack_nibble_blocks(b->qs, next ? next->qs : nullptr);
    }
    static uint16_t weight_m(const Weight&) { return 0; }
    HEARTH_AVX512 static __m512 terms(__m512 sumi, const LaneScales& s) {
        return _mm512_mul_ps(_mm512_mul_ps(sumi, s.xd), s.yd);
    }
};

struct Q4_1 {
    using Weight = BlockQ4_1;
    using Act = BlockQ8_1;
    static constexpr int kOffset = 0;
    HEARTH_AVX512 static __m512i unpack(const Weight* b, const Weight* next) {
        return unpack_nibble_blocks(b->qs, next ? next->qs : nullptr);
    }
    static uint16_t weight_m(const Weight& b) { return b.m; }
    HEARTH_AVX512 static __m512 terms(__m512 sumi, const LaneScales& s) {
        return _mm512_add_ps(_mm512_mul_ps(_mm512_mul_ps(s.xd, s.yd), sumi), _mm512_mul_ps(s.xm, s.ym));
    }
};

struct Q5_0 {
    using Weight = BlockQ5_0;
    using Act = BlockQ8_0;
    static constexpr int kOffset = 16;
    HEARTH_AVX512 static __m512i unpack(const Weight* b, const Weight* next) {
        return _mm512_or_si512(unpack_nibble_blocks(b->qs, next ? next->qs : nullptr),
                               high_bit_blocks(b->qh, next ? next->qh : nullptr));
    }
    static uint16_t weight_m(const Weight&) { return 0; }
    HEARTH_AVX512 static __m512 terms(__m512 sumi, const LaneScales& s) {
        return _mm512_mul_ps(_mm512_mul_ps(s.xd, s.yd), sumi);
    }
};

struct Q5_1 {
    using Weight = BlockQ5_1;
    using Act = BlockQ8_1;
    static constexpr int kOffset = 0;
    HEARTH_AVX512 static __m512i unpack(const Weight* b, const Weight* next) {
        return _mm512_or_si512(unpack_nibble_blocks(b->qs, next ? next->qs : nullptr),
                               high_bit_blocks(b->qh, next ? next->qh : nullptr));
    }
    static uint16_t weight_m(const Weight& b) { return b.m; }
    HEARTH_AVX512 static __m512 terms(__m512 sumi, const LaneScales& s) {
        return _mm512_add_ps(_mm512_mul_ps(_mm512_mul_ps(s.xd, s.yd), sumi), _mm512_mul_ps(s.xm, s.ym));
    }
};

// Signed quants made unsigned by + 128 (a flip of the top bit); 128 * sum(activation) comes off again.
struct Q8_0 {
    using Weight = BlockQ8_0;
    using Act = BlockQ8_0;
    static constexpr int kOffset = 128;
    HEARTH_AVX512 static __m512i unpack(const Weight* b, const Weight* next) {
        return _mm512_xor_si512(load_quant_blocks(b->qs, next ? next->qs : nullptr), _mm512_set1_epi8(-128));
    }
    static uint16_t weight_m(const Weight&) { return 0; }
    HEARTH_AVX512 static __m512 terms(__m512 sumi, const LaneScales& s) {
        return _mm512_mul_ps(sumi, _mm512_mul_ps(s.xd, s.yd));
    }
};

// The float terms one activation block adds to 16 outputs of a GEMM panel: groups[g] holds quants
// 4g..4g+3 of the 16 rows (unsigned), quads the activation's quants, xd / xm the rows' scales. Two
// accumulators halve the dependency chain; integer sums are exact in any order.
template <class T>
HEARTH_AVX512 inline __m512 panel_block_terms(const __m512i* groups, const int8_t* act_quants, const GemmActBlock& a,
                                              __m512 xd, __m512 xm) {
    const auto* quads = reinterpret_cast<const int32_t*>(act_quants);
    __m512i even = _mm512_set1_epi32(-a.offset_sum);  // the type's offset times the quant sum
    __m512i odd = _mm512_setzero_si512();
    for (int g = 0; g < 8; g += 2) {
        even = _mm512_dpbusd_epi32(even, groups[g], _mm512_set1_epi32(quads[g]));
        odd = _mm512_dpbusd_epi32(odd, groups[g + 1], _mm512_set1_epi32(quads[g + 1]));
    }
    const LaneScales s{xd, _mm512_set1_ps(a.d), xm, _mm512_set1_ps(a.m)};
    return T::terms(_mm512_cvtepi32_ps(_mm512_add_epi32(even, odd)), s);
}

}  // namespace
}  // namespace hearth::cpu
