// BF16 matmuls on CPUs with AVX-512 BF16, in the pairs arithmetic (vec_dot_bf16_pairs): vdpbf16ps adds
// the products of 32 weights and 32 activations to an output's 16 lanes in one instruction, twice the
// products per instruction of the lanes kernels' FMAs (half_gemm_avx512.cpp). The activations come as
// bf16 (matmuls() converts them once per matmul); the last run of 32 loads under a mask (zeros). A
// tile is 4 weight rows by 4 activation rows.
#pragma GCC diagnostic ignored "-Wuninitialized"  // GCC 12's false positives in <immintrin.h> (avx512_blocks.h)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include "backends/cpu/kernels/half_gemm_tiles.h"
#include "backends/cpu/kernels/half_tile_avx512.h"

#define HEARTH_AVX512_BF16 __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512bf16")))

namespace hearth::cpu {
namespace {

constexpr int64_t kRun = 32;  // elements per vdpbf16ps

template <int W, int A>
struct Tile {
    HEARTH_AVX512_BF16 static void run(const HalfGemmArgs& g, int64_t r0, int64_t a0) {
        const TileRows<W, A> rows(g, r0, a0);
        __m512 sums[A][W];
        zero_sums(sums);
        for (int64_t k = 0; k < g.n; k += kRun) {
            const __mmask32 mask = k + kRun <= g.n ? ~__mmask32{0} : static_cast<__mmask32>((uint64_t{1} << (g.n - k)) - 1);
            __m512bh wv[W];
#pragma GCC unroll 8
            for (int r = 0; r < W; ++r) wv[r] = reinterpret_cast<__m512bh>(_mm512_maskz_loadu_epi16(mask, rows.w[r] + k));
#pragma GCC unroll 8
            for (int c = 0; c < A; ++c) {
                const auto av = reinterpret_cast<__m512bh>(_mm512_maskz_loadu_epi16(mask, rows.a[c] + k));
#pragma GCC unroll 8
                for (int r = 0; r < W; ++r) sums[c][r] = _mm512_dpbf16_ps(sums[c][r], wv[r], av);
            }
        }
        store_totals(sums, g, r0, a0);
    }
};

void gemm(const HalfGemmArgs& args) {
    if (args.act_rows == 1) return run_half_tiles<Tile, 8, 1>(args, args.weight_rows, 1);
    run_half_tiles<Tile, 4, 4>(args, args.weight_rows, args.act_rows);
}

}  // namespace

HalfGemmKernel avx512_bf16_pairs_gemm() { return gemm; }

}  // namespace hearth::cpu
