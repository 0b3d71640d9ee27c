#pragma once
// Spreading the next panel's weight reads over a GEMM kernel's compute (GemmArgs::next_weights).
#include "backends/cpu/kernels/dot_kernels.h"

namespace hearth::cpu {

// Prefetches part `step` of `steps` of the next panel's weights, so that a loop of `steps`
// iterations reads the next panel while it computes this one. Into L2, not L1: a whole panel
// requested into L1 held the core's few L1 miss buffers and evicted lines of the current one
// (Zen 4, a Q4_K panel from memory: 125 -> 81-89 ns per 16-row super-block; docs/architecture.md).
inline void prefetch_next_panel(const GemmArgs& args, int64_t step, int64_t steps) {
    if (args.next_weights == nullptr) return;
    const uint64_t lines = (args.next_bytes + 63) / 64;
    const uint64_t begin = lines * static_cast<uint64_t>(step) / static_cast<uint64_t>(steps);
    const uint64_t end = lines * static_cast<uint64_t>(step + 1) / static_cast<uint64_t>(steps);
    for (uint64_t line = begin; line < end; ++line) __builtin_prefetch(args.next_weights + 64 * line, 0, 2);
}

}  // namespace hearth::cpu
