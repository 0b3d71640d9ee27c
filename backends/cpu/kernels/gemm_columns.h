#pragma once
// How the GEMM kernels walk a batch: chunks of activation rows with a compile-time count (their
// sums stay in registers), and each chunk's rows and descriptions.
#include "backends/cpu/kernels/dot_kernels.h"

namespace hearth::cpu {

// The activation rows [c0, c0 + C) of a legacy-type GEMM: their blocks and their descriptions.
template <class Act, int C>
struct ColumnChunk {
    const Act* rows[C];
    const GemmActBlock* blocks[C];
};

template <class Act, int C>
inline ColumnChunk<Act, C> column_chunk(const GemmArgs& args, int64_t c0) {
    ColumnChunk<Act, C> chunk;
    for (int c = 0; c < C; ++c) {
        chunk.rows[c] = reinterpret_cast<const Act*>(args.acts + static_cast<uint64_t>(c0 + c) * args.act_stride);
        chunk.blocks[c] = static_cast<const GemmActBlock*>(args.act_blocks) + (c0 + c) * args.nblocks;
    }
    return chunk;
}

template <int C, class Run>
void run_last_chunk(int64_t left, int64_t c0, const Run& run) {
    if constexpr (C >= 1) {
        if (left == C) return run.template operator()<C>(c0);
        run_last_chunk<C - 1>(left, c0, run);
    }
}

// Calls run.template operator()<Max>(c0) for each whole chunk of Max activation rows, then
// operator()<C> once for the C < Max rows left.
template <int Max, class Run>
void for_column_chunks(int64_t act_rows, const Run& run) {
    int64_t c0 = 0;
    for (; c0 + Max <= act_rows; c0 += Max) run.template operator()<Max>(c0);
    if (c0 < act_rows) run_last_chunk<Max - 1>(act_rows - c0, c0, run);
}

}  // namespace hearth::cpu
