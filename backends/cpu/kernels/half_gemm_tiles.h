#pragma once
// How the F16 / BF16 lanes kernels (half_gemm_avx2.cpp, half_gemm_avx512.cpp) walk a matmul: tiles of
// up to kActs activation rows by kWeights weight rows, activation rows outermost, so that a tile's
// activation rows stay in L1 while the call's weight rows (a task's: L2-sized) pass under them.
#include <algorithm>
#include <cstring>

#include "backends/cpu/kernels/dot_kernels.h"

namespace hearth::cpu {
namespace {

// Tile<W, A>::run(args, r0, a0) for weight rows [r0, r0 + W) and activation rows [a0, a0 + A).
template <template <int, int> class Tile, int W, int A, class Args>
void run_tile(const Args& args, int weights, int acts, int64_t r0, int64_t a0) {
    if constexpr (W > 1) {
        if (weights < W) return run_tile<Tile, W - 1, A>(args, weights, acts, r0, a0);
    }
    if constexpr (A > 1) {
        if (acts < A) return run_tile<Tile, W, A - 1>(args, weights, acts, r0, a0);
    }
    Tile<W, A>::run(args, r0, a0);
}

// Every tile of a weight_rows x act_rows matmul; `args` is what the tiles read (HalfGemmArgs, or a
// kernel's own form of them).
template <template <int, int> class Tile, int kWeights, int kActs, class Args>
void run_half_tiles(const Args& args, int64_t weight_rows, int64_t act_rows) {
    for (int64_t a0 = 0; a0 < act_rows; a0 += kActs) {
        const int acts = static_cast<int>(std::min<int64_t>(kActs, act_rows - a0));
        for (int64_t r0 = 0; r0 < weight_rows; r0 += kWeights) {
            const int weights = static_cast<int>(std::min<int64_t>(kWeights, weight_rows - r0));
            run_tile<Tile, kWeights, kActs>(args, weights, acts, r0, a0);
        }
    }
}

// The last n - k (< kLanes) elements of a tile's W weight rows `w` and A activation rows `a`,
// zero-padded to kLanes (wk[r], ak[c]): for kernels whose steps load whole runs of kLanes.
template <int kLanes, int W, int A>
struct PaddedRun {
    uint16_t wpad[W][kLanes] = {};
    uint16_t apad[A][kLanes] = {};
    const uint16_t* wk[W];
    const uint16_t* ak[A];
    PaddedRun(const uint16_t* const (&w)[W], const uint16_t* const (&a)[A], int64_t k, int64_t n) {
        for (int r = 0; r < W; ++r) {
            std::memcpy(wpad[r], w[r] + k, sizeof(uint16_t) * static_cast<size_t>(n - k));
            wk[r] = wpad[r];
        }
        for (int c = 0; c < A; ++c) {
            std::memcpy(apad[c], a[c] + k, sizeof(uint16_t) * static_cast<size_t>(n - k));
            ak[c] = apad[c];
        }
    }
};

}  // namespace
}  // namespace hearth::cpu
