// AVX2 dot kernels, bit-identical to the scalar reference in core/quant (quant_legacy.cpp,
// quant_k.cpp). Only the integer block sums are vectorized; the float steps repeat the reference's
// expressions in its order (the build keeps -ffp-contract=off, so no FMA is formed). Each function
// carries the target attribute instead of compiling the file with -mavx2, so that inline functions
// from shared headers are never emitted here with AVX2 code and picked by the linker for other callers.
#include "backends/cpu/kernels/avx2_blocks.h"
#include "backends/cpu/kernels/dot_kernels.h"
#include "core/quant/blocks.h"

namespace hearth::cpu {
namespace {

// Sum of u * s for 32 unsigned quants u <= 31 and int8 s: each int16 pair sum is at most
// 2 * 31 * 128 in magnitude, so maddubs never saturates and the result is exact.
HEARTH_AVX2 inline int dot_unsigned(__m256i u, __m256i s) {
    return hsum(_mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1)));
}

// Sum of (u - offset) * s, as sum(u * s) - offset * sum(s).
HEARTH_AVX2 inline int dot_offset(__m256i u, int8_t offset, __m256i s) {
    const __m256i ones = _mm256_set1_epi16(1);
    const __m256i prod = _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), ones);
    const __m256i sum = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(offset), s), ones);
    return hsum(_mm256_sub_epi32(prod, sum));
}

// Sum of a * b for 32 int8 each, widened to int16 first so that -128 * -128 stays exact.
HEARTH_AVX2 inline int dot_signed(const int8_t* a, const int8_t* b) {
    const __m256i a_lo = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a)));
    const __m256i a_hi = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + 16)));
    const __m256i b_lo = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b)));
    const __m256i b_hi = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + 16)));
    return hsum(_mm256_add_epi32(_mm256_madd_epi16(a_lo, b_lo), _mm256_madd_epi16(a_hi, b_hi)));
}

HEARTH_AVX2 float dot_q4_0(const void* weight_row, const void* act_row, int64_t nblocks) {
    const auto* x = static_cast<const BlockQ4_0*>(weight_row);
    const auto* y = static_cast<const BlockQ8_0*>(act_row);
    float sum = 0.0f;
    for (int64_t i = 0; i < nblocks; ++i) {
        const int sumi = dot_offset(unpack_nibbles(x[i].qs), 8, load32(y[i].qs));
        sum += static_cast<float>(sumi) * half_to_float(x[i].d) * half_to_float(y[i].d);
    }
    return sum;
}

HEARTH_AVX2 float dot_q4_1(const void* weight_row, const void* act_row, int64_t nblocks) {
    const auto* x = static_cast<const BlockQ4_1*>(weight_row);
    const auto* y = static_cast<const BlockQ8_1*>(act_row);
    float sum = 0.0f;
    for (int64_t i = 0; i < nblocks; ++i) {
        const int sumi = dot_unsigned(unpack_nibbles(x[i].qs), load32(y[i].qs));
        sum += (half_to_float(x[i].d) * half_to_float(y[i].d)) * static_cast<float>(sumi) +
               half_to_float(x[i].m) * half_to_float(y[i].s);
    }
    return sum;
}

HEARTH_AVX2 float dot_q5_0(const void* weight_row, const void* act_row, int64_t nblocks) {
    const auto* x = static_cast<const BlockQ5_0*>(weight_row);
    const auto* y = static_cast<const BlockQ8_0*>(act_row);
    float sum = 0.0f;
    for (int64_t i = 0; i < nblocks; ++i) {
        const __m256i q = _mm256_or_si256(unpack_nibbles(x[i].qs), spread_high_bits(x[i].qh));
        const int sumi = dot_offset(q, 16, load32(y[i].qs));
        sum += (half_to_float(x[i].d) * half_to_float(y[i].d)) * static_cast<float>(sumi);
    }
    return sum;
}

HEARTH_AVX2 float dot_q5_1(const void* weight_row, const void* act_row, int64_t nblocks) {
    const auto* x = static_cast<const BlockQ5_1*>(weight_row);
    const auto* y = static_cast<const BlockQ8_1*>(act_row);
    float sum = 0.0f;
    for (int64_t i = 0; i < nblocks; ++i) {
        const __m256i q = _mm256_or_si256(unpack_nibbles(x[i].qs), spread_high_bits(x[i].qh));
        const int sumi = dot_unsigned(q, load32(y[i].qs));
        sum += (half_to_float(x[i].d) * half_to_float(y[i].d)) * static_cast<float>(sumi) +
               half_to_float(x[i].m) * half_to_float(y[i].s);
    }
    return sum;
}

HEARTH_AVX2 float dot_q8_0(const void* weight_row, const void* act_row, int64_t nblocks) {
    const auto* x = static_cast<const BlockQ8_0*>(weight_row);
    const auto* y = static_cast<const BlockQ8_0*>(act_row);
    float sum = 0.0f;
    for (int64_t i = 0; i < nblocks; ++i) {
        const int sumi = dot_signed(x[i].qs, y[i].qs);
        sum += static_cast<float>(sumi) * (half_to_float(x[i].d) * half_to_float(y[i].d));
    }
    return sum;
}

}  // namespace

DotKernels avx2_dot_kernels() {
    DotKernels k;
    k.q4_0 = dot_q4_0;
    k.q4_1 = dot_q4_1;
    k.q5_0 = dot_q5_0;
    k.q5_1 = dot_q5_1;
    k.q8_0 = dot_q8_0;
    add_avx2_k_kernels(k);
    k.tiles = avx2_tile_kernels();
    k.decode = avx2_decode_kernels();
    k.gemm = avx2_gemm_kernels();
    return k;
}

}  // namespace hearth::cpu
