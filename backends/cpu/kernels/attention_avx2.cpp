// AVX2 attention pieces. Per-function target attributes keep AVX2 code out of shared inline code.
#include <immintrin.h>

#include "backends/cpu/kernels/attention_kernels.h"
#include "core/quant/half.h"

namespace hearth::cpu {
namespace {

// F16C converts f16 to f32 exactly; the product is one float multiply and the widening to double
// is exact, so each lane repeats the reference's arithmetic for its element.
__attribute__((target("avx2,f16c"))) void axpy_f16_avx2(double* acc, float p, const uint16_t* v, int64_t n) {
    const __m128 scale = _mm_set1_ps(p);
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const __m128 values = _mm_cvtph_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(v + i)));
        const __m256d products = _mm256_cvtps_pd(_mm_mul_ps(scale, values));
        _mm256_storeu_pd(acc + i, _mm256_add_pd(_mm256_loadu_pd(acc + i), products));
    }
    for (; i < n; ++i) acc[i] += static_cast<double>(p * fp16_to_f32(v[i]));
}

}  // namespace

AttentionKernels attention_kernels_for(Isa isa) {
    AttentionKernels kernels;
    if (isa != Isa::scalar) kernels.axpy_f16 = axpy_f16_avx2;
    return kernels;
}

}  // namespace hearth::cpu
