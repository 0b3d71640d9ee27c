// AVX-512 fast math (fast_math.h): a polynomial exp, the softmax of attention and SwiGLU over it.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <algorithm>
#include <limits>

#include "backends/cpu/kernels/fast_math.h"
#include "backends/cpu/kernels/fast_math_avx512.h"

namespace hearth::cpu {
namespace {

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
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = first_lanes(n - i);
        _mm512_mask_storeu_ps(out + i, m, swiglu_vector(_mm512_maskz_loadu_ps(m, gate + i), _mm512_maskz_loadu_ps(m, up + i)));
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

// Squares in float (as the reference), 16 at a time, widened and added in two double registers.
HEARTH_AVX512_F double sum_squares_avx512(const float* x, int64_t n) {
    __m512d sums[2] = {_mm512_setzero_pd(), _mm512_setzero_pd()};
    for (int64_t i = 0; i < n; i += 16) {
        const __m512 v = _mm512_maskz_loadu_ps(first_lanes(n - i), x + i);
        const __m512 squares = _mm512_mul_ps(v, v);
        sums[0] = _mm512_add_pd(sums[0], _mm512_cvtps_pd(_mm512_castps512_ps256(squares)));
        sums[1] = _mm512_add_pd(sums[1], _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(squares), 1))));
    }
    return _mm512_reduce_add_pd(_mm512_add_pd(sums[0], sums[1]));
}

}  // namespace

FastMathKernels avx512_fast_math_kernels() { return {softmax_avx512, swiglu_avx512, axpy_f16_float, sum_squares_avx512, avx512_flash_tile(DType::F16),
            avx512_flash_tile(DType::Q8_0)}; }

}  // namespace hearth::cpu
