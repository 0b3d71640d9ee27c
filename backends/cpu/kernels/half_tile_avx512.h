#pragma once
// What the AVX-512 F16 / BF16 kernels (half_gemm_avx512.cpp, half_gemm_avx512_bf16.cpp) share: a
// tile's row pointers, its sums (one register per output) and their totals in vec_dot_half_lanes's
// tree. Include only from files whose callers carry AVX-512 F (and the files' GCC 12 pragmas).
#include <immintrin.h>

#include "backends/cpu/kernels/dot_kernels.h"

#define HEARTH_AVX512_HALF __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl")))

namespace hearth::cpu {
namespace {

// Lanes l and l + 8 added, then l + 4, l + 2, l + 1.
HEARTH_AVX512_HALF inline float lanes_total(__m512 v) {
    const __m256 low = _mm512_castps512_ps256(v);
    const __m256 high = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
    const __m256 eight = _mm256_add_ps(low, high);
    const __m128 four = _mm_add_ps(_mm256_castps256_ps128(eight), _mm256_extractf128_ps(eight, 1));
    const __m128 two = _mm_add_ps(four, _mm_movehl_ps(four, four));
    return _mm_cvtss_f32(_mm_add_ss(two, _mm_movehdup_ps(two)));
}

// The first element of each of a tile's W weight rows and A activation rows. (Every loop over a
// tile's sums is unrolled in full: otherwise GCC 12 keeps them in memory too, a store per step.)
template <int W, int A>
struct TileRows {
    const uint16_t* w[W];
    const uint16_t* a[A];
    HEARTH_AVX512_HALF TileRows(const HalfGemmArgs& g, int64_t r0, int64_t a0) {
        for (int r = 0; r < W; ++r) w[r] = g.weights + (r0 + r) * g.weight_stride;
        for (int c = 0; c < A; ++c) a[c] = g.acts + (a0 + c) * g.act_stride;
    }
};

template <int W, int A>
HEARTH_AVX512_HALF __attribute__((always_inline)) inline void zero_sums(__m512 (&sums)[A][W]) {
#pragma GCC unroll 8
    for (int c = 0; c < A; ++c)
#pragma GCC unroll 8
        for (int r = 0; r < W; ++r) sums[c][r] = _mm512_setzero_ps();
}

template <int W, int A>
HEARTH_AVX512_HALF __attribute__((always_inline)) inline void store_totals(const __m512 (&sums)[A][W], const HalfGemmArgs& g,
                                                                          int64_t r0, int64_t a0) {
#pragma GCC unroll 8
    for (int c = 0; c < A; ++c)
#pragma GCC unroll 8
        for (int r = 0; r < W; ++r) g.out[(a0 + c) * g.out_stride + r0 + r] = lanes_total(sums[c][r]);
}

}  // namespace
}  // namespace hearth::cpu
