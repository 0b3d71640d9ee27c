// F16 / BF16 matmuls in the lanes arithmetic (dot_kernels.h, vec_dot_half_lanes) on AVX-512: each
// output's 16 lanes are one register; 16 weights and 16 activations, both halves, are widened to
// floats (F16C's conversion, or bf16 moved to a float's high half) and multiplied into it with one
// FMA. The product of two halves is exact, so the FMA rounds once, as the reference's std::fma does.
// A tile of 4 x 4 outputs loads each weight vector once for 4 activation rows and each activation
// vector once for 4 weight rows; a batch's F16 weights are widened once per call into the caller's
// scratch, so that its tiles convert only the activations. The last n % 16 elements load under a
// mask (zeros, which leave a lane's sum as it is) in a step of their own: a mask on every step's
// loads cost a quarter of the kernel's speed (56 -> 43 GMAC/s a core).
#pragma GCC diagnostic ignored "-Wuninitialized"  // GCC 12's false positives in <immintrin.h> (avx512_blocks.h)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include "backends/cpu/kernels/half_gemm_tiles.h"
#include "backends/cpu/kernels/half_tile_avx512.h"

namespace hearth::cpu {
namespace {

constexpr int kLanes = 16;

template <bool Bf16>
HEARTH_AVX512_HALF inline __m512 widen(__m256i halves) {
    if constexpr (Bf16) return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(halves), 16));
    return _mm512_cvtph_ps(halves);
}

// 16 halves from p: all of them, or (Tail) those under `mask` and zeros.
template <bool Tail>
HEARTH_AVX512_HALF inline __m256i halves16(const uint16_t* p, __mmask16 mask) {
    if constexpr (Tail) return _mm256_maskz_loadu_epi16(mask, p);
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

// 16 weights: halves widened, or floats a batch widened before.
template <bool Bf16, bool Tail>
HEARTH_AVX512_HALF inline __m512 weights16(const uint16_t* w, __mmask16 mask) {
    return widen<Bf16>(halves16<Tail>(w, mask));
}
template <bool Bf16, bool Tail>
HEARTH_AVX512_HALF inline __m512 weights16(const float* w, __mmask16 mask) {
    if constexpr (Tail) return _mm512_maskz_loadu_ps(mask, w);
    return _mm512_loadu_ps(w);
}

// Elements [k, k + 16) of a tile's rows (with Tail, those under `mask`) into its sums.
template <bool Bf16, bool Tail, int W, int A, class Weight>
HEARTH_AVX512_HALF __attribute__((always_inline)) inline void step(__m512 (&sums)[A][W], const Weight* const (&w)[W],
                                                                   const uint16_t* const (&a)[A], int64_t k, __mmask16 mask) {
    __m512 wv[W];
#pragma GCC unroll 8
    for (int r = 0; r < W; ++r) wv[r] = weights16<Bf16, Tail>(w[r] + k, mask);
#pragma GCC unroll 8
    for (int c = 0; c < A; ++c) {
        const __m512 av = widen<Bf16>(halves16<Tail>(a[c] + k, mask));
#pragma GCC unroll 8
        for (int r = 0; r < W; ++r) sums[c][r] = _mm512_fmadd_ps(wv[r], av, sums[c][r]);
    }
}

// The tile at weight row r0 and activation row a0, its weights at w (halves, or widened floats).
template <bool Bf16, int W, int A, class Weight>
HEARTH_AVX512_HALF __attribute__((always_inline)) inline void run_tile(const HalfGemmArgs& g, const Weight* const (&w)[W],
                                                                       const uint16_t* const (&a)[A], int64_t r0, int64_t a0) {
    __m512 sums[A][W];
    zero_sums(sums);
    const int64_t full = g.n - g.n % kLanes;
    for (int64_t k = 0; k < full; k += kLanes) step<Bf16, false>(sums, w, a, k, 0);
    if (full < g.n) step<Bf16, true>(sums, w, a, full, static_cast<__mmask16>((1u << (g.n - full)) - 1));
    store_totals(sums, g, r0, a0);
}

template <bool Bf16>
struct Tiles {
    template <int W, int A>
    struct Tile {
        HEARTH_AVX512_HALF static void run(const HalfGemmArgs& g, int64_t r0, int64_t a0) {
            const TileRows<W, A> rows(g, r0, a0);
            run_tile<Bf16, W, A>(g, rows.w, rows.a, r0, a0);
        }
    };
};

// The call's weights as floats (WideArgs::weights, row after row) beside the arguments.
struct WideArgs {
    const HalfGemmArgs& args;
    const float* weights;
};

template <int W, int A>
struct WideTile {
    HEARTH_AVX512_HALF static void run(const WideArgs& p, int64_t r0, int64_t a0) {
        const TileRows<W, A> rows(p.args, r0, a0);  // the activation rows (its half weights go unused)
        const float* w[W];
        for (int r = 0; r < W; ++r) w[r] = p.weights + (r0 + r) * p.args.n;
        run_tile<false, W, A>(p.args, w, rows.a, r0, a0);
    }
};

HEARTH_AVX512_HALF void widen_weights(const HalfGemmArgs& g, float* out) {
    for (int64_t r = 0; r < g.weight_rows; ++r) {
        const uint16_t* row = g.weights + r * g.weight_stride;
        float* dst = out + r * g.n;
        for (int64_t k = 0; k < g.n; k += kLanes) {
            const __mmask16 mask = k + kLanes <= g.n ? __mmask16{0xFFFF} : static_cast<__mmask16>((1u << (g.n - k)) - 1);
            _mm512_mask_storeu_ps(dst + k, mask, widen<false>(_mm256_maskz_loadu_epi16(mask, row + k)));
        }
    }
}

template <bool Bf16>
void gemm(const HalfGemmArgs& args) {
    if (args.act_rows == 1) return run_half_tiles<Tiles<Bf16>::template Tile, 8, 1>(args, args.weight_rows, 1);
    if constexpr (!Bf16) {
        if (args.scratch != nullptr) {
            widen_weights(args, args.scratch);
            return run_half_tiles<WideTile, 4, 4>(WideArgs{args, args.scratch}, args.weight_rows, args.act_rows);
        }
    }
    run_half_tiles<Tiles<Bf16>::template Tile, 4, 4>(args, args.weight_rows, args.act_rows);
}

}  // namespace

HalfGemmKernels avx512_half_gemm_kernels() { return {gemm<false>, gemm<true>}; }

}  // namespace hearth::cpu
