// BF16 matmuls on CPUs with AVX-512 BF16, in the pairs arithmetic (vec_dot_bf16_pairs): vdpbf16ps adds
// the products of 32 weights and 32 activations to an output's 16 lanes in one instruction, twice the
// products per instruction of the lanes kernels' FMAs (half_gemm_avx512.cpp). The activations come as
// bf16 (matmuls() converts them once per matmul); the last run of 32 loads under a mask (zeros). A
// tile is 4 weight rows by 4 activation rows.
#pragma GCC diagnostic ignored "-Wuninitialized"  // GCC 12's false positives in <immintrin.h> (avx512_blocks.h)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "backends/cpu/kernels/half_gemm_tiles.h"

#define HEARTH_AVX512_BF16 __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512bf16")))

namespace hearth::cpu {
namespace {

constexpr int64_t kRun = 32;  // elements per vdpbf16ps

// vec_dot_half_lanes's tree: lanes l and l + 8, then l + 4, l + 2, l + 1.
HEARTH_AVX512_BF16 inline float lanes_total(__m512 v) {
    const __m256 low = _mm512_castps512_ps256(v);
    const __m256 high = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
    const __m256 eight = _mm256_add_ps(low, high);
    const __m128 four = _mm_add_ps(_mm256_castps256_ps128(eight), _mm256_extractf128_ps(eight, 1));
    const __m128 two = _mm_add_ps(four, _mm_movehl_ps(four, four));
    return _mm_cvtss_f32(_mm_add_ss(two, _mm_movehdup_ps(two)));
}

template <int W, int A>
struct Tile {
    HEARTH_AVX512_BF16 static void run(const HalfGemmArgs& g, int64_t r0, int64_t a0) {
        const uint16_t* w[W];
        for (int r = 0; r < W; ++r) w[r] = g.weights + (r0 + r) * g.weight_stride;
        const uint16_t* a[A];
        for (int c = 0; c < A; ++c) a[c] = g.acts + (a0 + c) * g.act_stride;
        __m512 sums[A][W];
#pragma GCC unroll 8
        for (int c = 0; c < A; ++c)
#pragma GCC unroll 8
            for (int r = 0; r < W; ++r) sums[c][r] = _mm512_setzero_ps();
        for (int64_t k = 0; k < g.n; k += kRun) {
            const __mmask32 mask = k + kRun <= g.n ? ~__mmask32{0} : static_cast<__mmask32>((uint64_t{1} << (g.n - k)) - 1);
            __m512bh wv[W];
#pragma GCC unroll 8
            for (int r = 0; r < W; ++r) wv[r] = reinterpret_cast<__m512bh>(_mm512_maskz_loadu_epi16(mask, w[r] + k));
#pragma GCC unroll 8
            for (int c = 0; c < A; ++c) {
                const auto av = reinterpret_cast<__m512bh>(_mm512_maskz_loadu_epi16(mask, a[c] + k));
#pragma GCC unroll 8
                for (int r = 0; r < W; ++r) sums[c][r] = _mm512_dpbf16_ps(sums[c][r], wv[r], av);
            }
        }
#pragma GCC unroll 8
        for (int c = 0; c < A; ++c)
#pragma GCC unroll 8
            for (int r = 0; r < W; ++r) g.out[(a0 + c) * g.out_stride + r0 + r] = lanes_total(sums[c][r]);
    }
};

void gemm(const HalfGemmArgs& args) {
    if (args.act_rows == 1) return run_half_tiles<Tile, 8, 1>(args, args.weight_rows, 1);
    run_half_tiles<Tile, 4, 4>(args, args.weight_rows, args.act_rows);
}

}  // namespace

HalfGemmKernel avx512_bf16_pairs_gemm() { return gemm; }

}  // namespace hearth::cpu
