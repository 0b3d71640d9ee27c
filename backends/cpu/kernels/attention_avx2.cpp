// AVX2 attention pieces. Per-function target attributes keep AVX2 code out of shared inline code.
#include <immintrin.h>

#include "backends/cpu/kernels/attention_adapters.h"
#include "backends/cpu/kernels/attention_kernels.h"
#include "core/quant/half.h"

namespace hearth::cpu {
namespace {

// F16C converts f16 to f32 exactly; the product is one float multiply and the widening to double
// is exact, so each lane repeats the reference's arithmetic for its element.
__attribute__((target("avx2,f16c"))) void axpy_f16_one(double* acc, float p, const uint16_t* v, int64_t n) {
    const __m128 scale = _mm_set1_ps(p);
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const __m128 values = _mm_cvtph_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(v + i)));
        const __m256d products = _mm256_cvtps_pd(_mm_mul_ps(scale, values));
        _mm256_storeu_pd(acc + i, _mm256_add_pd(_mm256_loadu_pd(acc + i), products));
    }
    for (; i < n; ++i) acc[i] += static_cast<double>(p * fp16_to_f32(v[i]));
}

// A half (f16, or bf16 for the BF16 weight matmul) widened exactly to float.
template <bool Bf16>
float widen(uint16_t h) { return Bf16 ? bf16_to_f32(h) : fp16_to_f32(h); }

template <bool Bf16>
__attribute__((target("avx2,f16c"))) inline __m256 load_halves8(const uint16_t* p) {
    const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    if constexpr (Bf16) return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(raw), 16));
    else return _mm256_cvtph_ps(raw);
}

template <bool Bf16>
double dot_reference(const float* q, const uint16_t* key, int64_t n) {
    double sum = 0.0;
    for (int64_t d = 0; d < n; ++d) sum += static_cast<double>(q[d] * widen<Bf16>(key[d]));
    return sum;
}

// Four keys at a time: their products for 8 dimensions are formed as the reference forms them,
// transposed so each double lane (one key) adds its products in dimension order.
template <bool Bf16>
__attribute__((target("avx2,f16c"))) void dots_half_one(const float* q, const uint16_t* keys, int64_t key_stride,
                                                        int64_t n_keys, int64_t n, double* out) {
    int64_t j = 0;
    if (n % 8 == 0) {
        for (; j + 4 <= n_keys; j += 4) {
            const uint16_t* k0 = keys + j * key_stride;
            __m256d acc = _mm256_setzero_pd();
            for (int64_t d = 0; d < n; d += 8) {
                const __m256 qv = _mm256_loadu_ps(q + d);
                const uint16_t* k = k0 + d;
                const __m256 p0 = _mm256_mul_ps(qv, load_halves8<Bf16>(k));
                k += key_stride;
                const __m256 p1 = _mm256_mul_ps(qv, load_halves8<Bf16>(k));
                k += key_stride;
                const __m256 p2 = _mm256_mul_ps(qv, load_halves8<Bf16>(k));
                k += key_stride;
                const __m256 p3 = _mm256_mul_ps(qv, load_halves8<Bf16>(k));
                const __m256 t0 = _mm256_unpacklo_ps(p0, p1), t1 = _mm256_unpackhi_ps(p0, p1);
                const __m256 t2 = _mm256_unpacklo_ps(p2, p3), t3 = _mm256_unpackhi_ps(p2, p3);
                const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
                const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
                // Dimensions d..d+3 sit in the low halves of u0..u3, d+4..d+7 in the high halves.
                acc = _mm256_add_pd(acc, _mm256_cvtps_pd(_mm256_castps256_ps128(u0)));
                acc = _mm256_add_pd(acc, _mm256_cvtps_pd(_mm256_castps256_ps128(u1)));
                acc = _mm256_add_pd(acc, _mm256_cvtps_pd(_mm256_castps256_ps128(u2)));
                acc = _mm256_add_pd(acc, _mm256_cvtps_pd(_mm256_castps256_ps128(u3)));
                acc = _mm256_add_pd(acc, _mm256_cvtps_pd(_mm256_extractf128_ps(u0, 1)));
                acc = _mm256_add_pd(acc, _mm256_cvtps_pd(_mm256_extractf128_ps(u1, 1)));
                acc = _mm256_add_pd(acc, _mm256_cvtps_pd(_mm256_extractf128_ps(u2, 1)));
                acc = _mm256_add_pd(acc, _mm256_cvtps_pd(_mm256_extractf128_ps(u3, 1)));
            }
            _mm256_storeu_pd(out + j, acc);
        }
    }
    for (; j < n_keys; ++j) out[j] = dot_reference<Bf16>(q, keys + j * key_stride, n);
}

}  // namespace

// F16C rounds to nearest, ties to even, as f32_to_fp16 does.
__attribute__((target("avx2,f16c"))) void round_f16_avx2(float* values, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(values + i, _mm256_cvtph_ps(_mm256_cvtps_ph(_mm256_loadu_ps(values + i), _MM_FROUND_TO_NEAREST_INT)));
    for (; i < n; ++i) values[i] = _cvtsh_ss(_cvtss_sh(values[i], _MM_FROUND_TO_NEAREST_INT));
}

__attribute__((target("avx2,f16c"))) void store_f16_avx2(const float* values, uint16_t* out, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), _mm256_cvtps_ph(_mm256_loadu_ps(values + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; ++i) out[i] = _cvtss_sh(values[i], _MM_FROUND_TO_NEAREST_INT);
}

AttentionKernels attention_kernels_for(Isa isa) {
    switch (isa) {
        case Isa::avx2:
            return {axpy_each_value<axpy_f16_one>, dots_each_head<dots_half_one<false>>, round_f16_avx2,
                    dots_each_head<dots_half_one<true>>, store_f16_avx2};
        case Isa::avx512: return avx512_attention_kernels();
        default: return {};
    }
}

}  // namespace hearth::cpu
