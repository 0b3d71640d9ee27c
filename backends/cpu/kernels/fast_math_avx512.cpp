// AVX-512 fast math (fast_math.h): a polynomial exp, the softmax of attention and SwiGLU over it.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <limits>

#include "backends/cpu/kernels/fast_math.h"

#define HEARTH_AVX512_F __attribute__((target("avx2,fma,f16c,avx512f,avx512vl")))

namespace hearth::cpu {
namespace {

// e^x: x = k ln2 + r with |r| <= ln2 / 2 (ln2 in two parts, so r is exact), e^r by its Taylor
// polynomial to degree 7 (truncation below 1e-8 relative), times 2^k by vscalefps, which gives 0
// below float's range and infinity above it. x is first clamped to [-104, 89], where e^x is already
// 0 or infinity in float, so that -inf gives 0 and +inf infinity (not NaN); a NaN stays NaN.
HEARTH_AVX512_F inline __m512 exp_vector(__m512 x) {
    x = _mm512_min_ps(_mm512_set1_ps(89.0f), _mm512_max_ps(_mm512_set1_ps(-104.0f), x));  // NaN: the second operand
    const __m512 k = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(k, _mm512_set1_ps(0.693145751953125f), x);
    r = _mm512_fnmadd_ps(k, _mm512_set1_ps(1.428606765330187e-6f), r);
    __m512 p = _mm512_set1_ps(1.0f / 5040.0f);
    for (const float c : {1.0f / 720.0f, 1.0f / 120.0f, 1.0f / 24.0f, 1.0f / 6.0f, 0.5f, 1.0f, 1.0f}) p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(c));
    return _mm512_scalef_ps(p, k);
}

HEARTH_AVX512_F inline __mmask16 first_lanes(int64_t count) {
    return count >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << count) - 1);
}

HEARTH_AVX512_F void softmax_avx512(const double* dots, int heads, int64_t n, float scale, float* probs) {
    for (int h = 0; h < heads; ++h) {
        const double* d = dots + h * n;
        float* p = probs + h * n;
        __m512 max = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
        for (int64_t j = 0; j < n; j += 16) {
            const __mmask16 m = first_lanes(n - j);
            const __m256 low = _mm512_cvtpd_ps(_mm512_maskz_loadu_pd(static_cast<__mmask8>(m), d + j));
            const __m256 high = _mm512_cvtpd_ps(_mm512_maskz_loadu_pd(static_cast<__mmask8>(m >> 8), d + j + 8));
            const __m512 both = _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castps_pd(_mm512_castps256_ps512(low)), _mm256_castps_pd(high), 1));
            const __m512 s = _mm512_mul_ps(both, _mm512_set1_ps(scale));
            _mm512_mask_storeu_ps(p + j, m, s);
            max = _mm512_mask_max_ps(max, m, max, s);
        }
        const __m512 top = _mm512_set1_ps(_mm512_reduce_max_ps(max));
        __m512 sum = _mm512_setzero_ps();
        for (int64_t j = 0; j < n; j += 16) {
            const __mmask16 m = first_lanes(n - j);
            const __m512 e = exp_vector(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, p + j), top));
            _mm512_mask_storeu_ps(p + j, m, e);
            sum = _mm512_mask_add_ps(sum, m, sum, e);
        }
        const __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sum));
        for (int64_t j = 0; j < n; j += 16) {
            const __mmask16 m = first_lanes(n - j);
            _mm512_mask_storeu_ps(p + j, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, p + j), inv));
        }
    }
}

HEARTH_AVX512_F void swiglu_avx512(const float* gate, const float* up, float* out, int64_t n) {
    const __m512 one = _mm512_set1_ps(1.0f);
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = first_lanes(n - i);
        const __m512 g = _mm512_maskz_loadu_ps(m, gate + i);
        const __m512 silu = _mm512_div_ps(g, _mm512_add_ps(one, exp_vector(_mm512_sub_ps(_mm512_setzero_ps(), g))));
        _mm512_mask_storeu_ps(out + i, m, _mm512_mul_ps(silu, _mm512_maskz_loadu_ps(m, up + i)));
    }
}

}  // namespace

FastMathKernels avx512_fast_math_kernels() { return {softmax_avx512, swiglu_avx512}; }

}  // namespace hearth::cpu
