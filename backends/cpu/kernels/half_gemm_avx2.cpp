// F16 / BF16 matmuls in the lanes arithmetic (dot_kernels.h, vec_dot_half_lanes) on AVX2: the AVX-512
// kernel's scheme (half_gemm_avx512.cpp) with each output's 16 lanes in two registers (lanes 0-7 and
// 8-15), so every output has the same bits on both. A tile is 3 weight rows by 2 activation rows (12
// sums in registers). The last n % 16 elements go through a zero-padded copy.
#include <immintrin.h>

#include "backends/cpu/kernels/half_gemm_tiles.h"

#define HEARTH_AVX2_HALF __attribute__((target("avx2,fma,f16c")))

namespace hearth::cpu {
namespace {

constexpr int kLanes = 16;

template <bool Bf16>
HEARTH_AVX2_HALF inline __m256 widen(const uint16_t* p) {
    const __m128i halves = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    if constexpr (Bf16) return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(halves), 16));
    return _mm256_cvtph_ps(halves);
}

// vec_dot_half_lanes's tree, lanes 0-7 in `low` and 8-15 in `high`.
HEARTH_AVX2_HALF inline float lanes_total(__m256 low, __m256 high) {
    const __m256 eight = _mm256_add_ps(low, high);
    const __m128 four = _mm_add_ps(_mm256_castps256_ps128(eight), _mm256_extractf128_ps(eight, 1));
    const __m128 two = _mm_add_ps(four, _mm_movehl_ps(four, four));
    return _mm_cvtss_f32(_mm_add_ss(two, _mm_movehdup_ps(two)));
}

template <bool Bf16>
struct Tiles {
    template <int W, int A>
    struct Tile {
        HEARTH_AVX2_HALF static void run(const HalfGemmArgs& g, int64_t r0, int64_t a0) {
            const uint16_t* w[W];
            for (int r = 0; r < W; ++r) w[r] = g.weights + (r0 + r) * g.weight_stride;
            const uint16_t* a[A];
            for (int c = 0; c < A; ++c) a[c] = g.acts + (a0 + c) * g.act_stride;
            __m256 sums[A][W][2];
            for (int c = 0; c < A; ++c)
                for (int r = 0; r < W; ++r) sums[c][r][0] = sums[c][r][1] = _mm256_setzero_ps();
            // Elements [k, k + 16) of rows wk and ak into the sums.
            const auto step = [&](const uint16_t* const (&wk)[W], const uint16_t* const (&ak)[A], int64_t k) __attribute__((always_inline)) HEARTH_AVX2_HALF {
                for (int h = 0; h < 2; ++h) {
                    __m256 wv[W];
                    for (int r = 0; r < W; ++r) wv[r] = widen<Bf16>(wk[r] + k + 8 * h);
                    for (int c = 0; c < A; ++c) {
                        const __m256 av = widen<Bf16>(ak[c] + k + 8 * h);
                        for (int r = 0; r < W; ++r) sums[c][r][h] = _mm256_fmadd_ps(wv[r], av, sums[c][r][h]);
                    }
                }
            };
            const int64_t full = g.n - g.n % kLanes;
            for (int64_t k = 0; k < full; k += kLanes) step(w, a, k);
            if (full < g.n) {
                const PaddedRun<kLanes, W, A> tail(w, a, full, g.n);
                step(tail.wk, tail.ak, 0);
            }
            for (int c = 0; c < A; ++c)
                for (int r = 0; r < W; ++r) g.out[(a0 + c) * g.out_stride + r0 + r] = lanes_total(sums[c][r][0], sums[c][r][1]);
        }
    };
};

template <bool Bf16>
void gemm(const HalfGemmArgs& args) {
    // One activation row (decode): more weight rows in flight at once.
    if (args.act_rows == 1) return run_half_tiles<Tiles<Bf16>::template Tile, 5, 1>(args, args.weight_rows, 1);
    run_half_tiles<Tiles<Bf16>::template Tile, 3, 2>(args, args.weight_rows, args.act_rows);
}

}  // namespace

HalfGemmKernels avx2_half_gemm_kernels() { return {gemm<false>, gemm<true>}; }

}  // namespace hearth::cpu
