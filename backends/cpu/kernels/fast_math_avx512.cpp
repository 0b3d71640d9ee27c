// AVX-512 fast math (fast_math.h): a polynomial exp, the softmax of attention and SwiGLU over it.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <algorithm>
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

// H heads x 64 dimensions of float sums in registers over the run of values; each value row widened
// once for the H heads.
template <int H>
HEARTH_AVX512_F void axpy_heads_float(double* acc, int64_t acc_stride, const float* probs, int64_t probs_stride,
                                      const uint16_t* values, int64_t value_stride, int64_t n_keys, int64_t d0) {
    __m512 sums[H][4];
    for (int h = 0; h < H; ++h)
        for (int c = 0; c < 4; ++c) sums[h][c] = _mm512_setzero_ps();
    for (int64_t j = 0; j < n_keys; ++j) {
        const uint16_t* v = values + j * value_stride + d0;
        __m512 wide[4];
        for (int c = 0; c < 4; ++c) wide[c] = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + 16 * c)));
        for (int h = 0; h < H; ++h) {
            const __m512 p = _mm512_set1_ps(probs[h * probs_stride + j]);
            for (int c = 0; c < 4; ++c) sums[h][c] = _mm512_fmadd_ps(p, wide[c], sums[h][c]);
        }
    }
    for (int h = 0; h < H; ++h)
        for (int c = 0; c < 4; ++c) {
            double* a = acc + h * acc_stride + d0 + 16 * c;
            _mm512_storeu_pd(a, _mm512_add_pd(_mm512_loadu_pd(a), _mm512_cvtps_pd(_mm512_castps512_ps256(sums[h][c]))));
            const __m256 upper = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(sums[h][c]), 1));
            _mm512_storeu_pd(a + 8, _mm512_add_pd(_mm512_loadu_pd(a + 8), _mm512_cvtps_pd(upper)));
        }
}

HEARTH_AVX512_F void axpy_f16_float(double* acc, int64_t acc_stride, const float* probs, int64_t probs_stride, int heads,
                                    const uint16_t* values, int64_t value_stride, int64_t n_keys, int64_t n) {
    int64_t d = 0;
    for (; d + 64 <= n; d += 64) {
        for (int h = 0; h < heads; h += 4) {
            double* a = acc + h * acc_stride;
            const float* p = probs + h * probs_stride;
            switch (std::min(4, heads - h)) {
                case 1: axpy_heads_float<1>(a, acc_stride, p, probs_stride, values, value_stride, n_keys, d); break;
                case 2: axpy_heads_float<2>(a, acc_stride, p, probs_stride, values, value_stride, n_keys, d); break;
                case 3: axpy_heads_float<3>(a, acc_stride, p, probs_stride, values, value_stride, n_keys, d); break;
                default: axpy_heads_float<4>(a, acc_stride, p, probs_stride, values, value_stride, n_keys, d); break;
            }
        }
    }
    for (int h = 0; h < heads; ++h)  // dimensions past the last 64 (heads of 80 or 96 values)
        for (int64_t i = d; i < n; ++i) {
            float sum = 0.0f;
            for (int64_t j = 0; j < n_keys; ++j) sum += probs[h * probs_stride + j] * _cvtsh_ss(values[j * value_stride + i]);
            acc[h * acc_stride + i] += sum;
        }
}

}  // namespace

FastMathKernels avx512_fast_math_kernels() { return {softmax_avx512, swiglu_avx512, axpy_f16_float}; }

}  // namespace hearth::cpu
