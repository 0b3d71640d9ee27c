#pragma once
// The AVX-512 vector math of the default arithmetic shared by fast_math_avx512.cpp and the kernels
// that fuse it (the blockwise GEMM's SwiGLU epilogue): e^x and SwiGLU on 16 floats. Include only
// from files whose every caller carries HEARTH_AVX512_F or a superset of it.
#include <immintrin.h>

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

// gate / (1 + e^-gate) * up, as FastMathKernels::swiglu computes it.
HEARTH_AVX512_F inline __m512 swiglu_vector(__m512 gate, __m512 up) {
    const __m512 silu = _mm512_div_ps(gate, _mm512_add_ps(_mm512_set1_ps(1.0f), exp_vector(_mm512_sub_ps(_mm512_setzero_ps(), gate))));
    return _mm512_mul_ps(silu, up);
}

}  // namespace
}  // namespace hearth::cpu
