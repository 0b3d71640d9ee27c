// BF16 matmuls on CPUs with AVX-512 BF16, in the pairs arithmetic (vec_dot_bf16_pairs): vdpbf16ps adds
// the products of 32 weights and 32 activations to an output's 16 lanes in one instruction, twice the
// products per instruction of the lanes kernels' FMAs (half_gemm_avx512.cpp). The activations come as
// bf16 (matmuls() converts them once per matmul); the last run of 32 loads under a mask (zeros), in a
// step of its own (masked loads on every step are slower). A tile is 4 weight rows by 4 activation
// rows.
#pragma GCC diagnostic ignored "-Wuninitialized"  // GCC 12's false positives in <immintrin.h> (avx512_blocks.h)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include "backends/cpu/kernels/half_gemm_tiles.h"
#include "backends/cpu/kernels/half_tile_avx512.h"

#define HEARTH_AVX512_BF16 __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512bf16")))

namespace hearth::cpu {
namespace {

constexpr int64_t kRun = 32;  // elements per vdpbf16ps

// 32 bf16 values from p: all of them, or (Tail) those under `mask` and zeros.
template <bool Tail>
HEARTH_AVX512_BF16 inline __m512bh run32(const uint16_t* p, __mmask32 mask) {
    if constexpr (Tail) return reinterpret_cast<__m512bh>(_mm512_maskz_loadu_epi16(mask, p));
    return reinterpret_cast<__m512bh>(_mm512_loadu_si512(p));
}

// Elements [k, k + 32) of a tile's rows (with Tail, those under `mask`) into its sums.
template <bool Tail, int W, int A>
HEARTH_AVX512_BF16 __attribute__((always_inline)) inline void step(__m512 (&sums)[A][W], const TileRows<W, A>& rows, int64_t k,
                                                                   __mmask32 mask) {
    __m512bh wv[W];
#pragma GCC unroll 8
    for (int r = 0; r < W; ++r) wv[r] = run32<Tail>(rows.w[r] + k, mask);
#pragma GCC unroll 8
    for (int c = 0; c < A; ++c) {
        const __m512bh av = run32<Tail>(rows.a[c] + k, mask);
#pragma GCC unroll 8
        for (int r = 0; r < W; ++r) sums[c][r] = _mm512_dpbf16_ps(sums[c][r], wv[r], av);
    }
}

template <int W, int A>
struct Tile {
    HEARTH_AVX512_BF16 static void run(const HalfGemmArgs& g, int64_t r0, int64_t a0) {
        const TileRows<W, A> rows(g, r0, a0);
        __m512 sums[A][W];
        zero_sums(sums);
        const int64_t full = g.n - g.n % kRun;
        for (int64_t k = 0; k < full; k += kRun) step<false>(sums, rows, k, 0);
        if (full < g.n) step<true>(sums, rows, full, static_cast<__mmask32>((uint64_t{1} << (g.n - full)) - 1));
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
