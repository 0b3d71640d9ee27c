#pragma once
// AVX2 helpers shared by the legacy-type kernels (decode_avx2.cpp, gemm_avx2.cpp): exact conversions of
// block fields into vectors. Include only from files whose every caller carries HEARTH_AVX2; the
// helpers live in an unnamed namespace so that no AVX2 copy is shared with other translation units.
#include <immintrin.h>

#include <cstdint>

#define HEARTH_AVX2 __attribute__((target("avx2,fma,f16c")))

namespace hearth::cpu {
namespace {

HEARTH_AVX2 inline float half_to_float(uint16_t h) { return _cvtsh_ss(h); }  // exact, as fp16_to_f32

// The 32 4-bit quants of a legacy block in element order: low nibbles, then high nibbles.
HEARTH_AVX2 inline __m256i unpack_nibbles(const uint8_t* qs) {
    const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs));
    const __m256i both = _mm256_set_m128i(_mm_srli_epi16(raw, 4), raw);
    return _mm256_and_si256(both, _mm256_set1_epi8(0x0F));
}

// 0x10 in byte e where bit e of the little-endian 32-bit mask is set (bit 4 of a 5-bit quant).
HEARTH_AVX2 inline __m256i spread_high_bits(const uint8_t* qh) {
    const uint32_t bits = static_cast<uint32_t>(qh[0]) | static_cast<uint32_t>(qh[1]) << 8 |
                          static_cast<uint32_t>(qh[2]) << 16 | static_cast<uint32_t>(qh[3]) << 24;
    const __m256i byte_of_element = _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202,
                                                      0x0101010101010101, 0x0000000000000000);
    const __m256i bytes = _mm256_shuffle_epi8(_mm256_set1_epi32(static_cast<int>(bits)), byte_of_element);
    const __m256i bit_of_element = _mm256_set1_epi64x(static_cast<int64_t>(0x8040201008040201ULL));
    const __m256i set = _mm256_cmpeq_epi8(_mm256_and_si256(bytes, bit_of_element), bit_of_element);
    return _mm256_and_si256(set, _mm256_set1_epi8(0x10));
}

// 8 consecutive fp16 values as floats (exact).
HEARTH_AVX2 inline __m256 halves8(const uint16_t* h) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h)));
}

// The sum of the 8 int32 lanes of v.
HEARTH_AVX2 inline int hsum(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(s);
}

// The sums of the 8 int32 lanes of each of v[0..N), N <= 8, by one hadd tree for all of them.
template <int N>
HEARTH_AVX2 inline void lane_totals(const __m256i* v, int* totals) {
    static_assert(N >= 1 && N <= 8);
    const auto at = [v](int k) HEARTH_AVX2 { return k < N ? v[k] : _mm256_setzero_si256(); };
    alignas(32) int all[8];
    for (int base = 0; base < N; base += 4) {
        const __m256i quad = _mm256_hadd_epi32(_mm256_hadd_epi32(at(base), at(base + 1)),
                                               _mm256_hadd_epi32(at(base + 2), at(base + 3)));
        const __m128i sums = _mm_add_epi32(_mm256_castsi256_si128(quad), _mm256_extracti128_si256(quad, 1));
        _mm_store_si128(reinterpret_cast<__m128i*>(all + base), sums);
    }
    for (int k = 0; k < N; ++k) totals[k] = all[k];
}

HEARTH_AVX2 inline __m256i load32(const int8_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }

}  // namespace
}  // namespace hearth::cpu
