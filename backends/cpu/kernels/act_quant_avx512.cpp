// AVX-512 quantizers of activation rows to Q8_0 and Q8_1, byte-identical to core/quant (as the AVX2
// ones, act_quant_avx2.cpp, whose steps these repeat a block of 32 in two registers instead of four):
// in a prompt every matmul input is quantized, 6% of SmolLM2's prompt time with the AVX2 forms.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include "backends/cpu/kernels/act_quant.h"
#include "backends/cpu/kernels/avx512_blocks.h"
#include "core/quant/blocks.h"

namespace hearth::cpu {
namespace {

HEARTH_AVX512 inline __m512 abs_ps(__m512 v) {
    return _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(v), _mm512_set1_epi32(0x7FFFFFFF)));
}

// std::round of the clamped v = min(127, max(-128, x)), halves away from zero (the fraction
// v - trunc(v) is exact); NaN clamps to -128 as in the reference (maxps returns its second operand).
HEARTH_AVX512 inline __m512i round_clamped(__m512 x) {
    const __m512 v = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-128.0f)), _mm512_set1_ps(127.0f));
    const __m512 whole = _mm512_roundscale_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    const __mmask16 away = _mm512_cmp_ps_mask(abs_ps(_mm512_sub_ps(v, whole)), _mm512_set1_ps(0.5f), _CMP_GE_OQ);
    const __m512i sign = _mm512_and_si512(_mm512_castps_si512(v), _mm512_set1_epi32(static_cast<int>(0x80000000u)));
    const __m512 step = _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(_mm512_set1_ps(1.0f)), sign));  // +-1 as v
    return _mm512_cvttps_epi32(_mm512_mask_add_ps(whole, away, whole, step));
}

struct Q8Block {
    float d;  // the float scale before its fp16 rounding
    int sum;  // sum of the quants
};

// One Q8_0 / Q8_1 block: amax / 127 (a NaN never becomes the maximum), quants round(x * id), stored
// as their low bytes (static_cast<int8_t>).
HEARTH_AVX512 inline Q8Block quantize_q8_block(const float* x, uint16_t& d_out, int8_t* qs) {
    const __m512 lo = _mm512_loadu_ps(x), hi = _mm512_loadu_ps(x + 16);
    const __m512 amax = _mm512_max_ps(abs_ps(hi), _mm512_max_ps(abs_ps(lo), _mm512_setzero_ps()));
    const float d = _mm512_reduce_max_ps(amax) / 127;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    d_out = _cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT);  // round to nearest even, as f32_to_fp16
    const __m512i q_lo = round_clamped(_mm512_mul_ps(lo, _mm512_set1_ps(id)));
    const __m512i q_hi = round_clamped(_mm512_mul_ps(hi, _mm512_set1_ps(id)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(qs), _mm512_cvtepi32_epi8(q_lo));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(qs + 16), _mm512_cvtepi32_epi8(q_hi));
    return {d, _mm512_reduce_add_epi32(_mm512_add_epi32(q_lo, q_hi))};
}

HEARTH_AVX512 void quantize_q8_0(const float* src, void* dst, int64_t n) {
    auto* y = static_cast<BlockQ8_0*>(dst);
    for (int64_t i = 0; i < n / kQK; ++i) quantize_q8_block(src + i * kQK, y[i].d, y[i].qs);
}

// s = fp16(sum * d) with the float d, as quantize_row_q8_1_ref.
HEARTH_AVX512 void quantize_q8_1(const float* src, void* dst, int64_t n) {
    auto* y = static_cast<BlockQ8_1*>(dst);
    for (int64_t i = 0; i < n / kQK; ++i) {
        const Q8Block b = quantize_q8_block(src + i * kQK, y[i].d, y[i].qs);
        y[i].s = _cvtss_sh(static_cast<float>(b.sum) * b.d, _MM_FROUND_TO_NEAREST_INT);
    }
}

}  // namespace

void add_avx512_act_quantizers(ActQuantizers& quantizers) {
    quantizers.q8_0 = quantize_q8_0;
    quantizers.q8_1 = quantize_q8_1;
}

}  // namespace hearth::cpu
