// AVX-512 VNNI prefill GEMM for the K types (Q4_K, Q5_K, Q6_K; contract in dot_kernels.h). The
// reference keeps 8 int32 lanes per super-block and output (lane l: elements l mod 8, times their
// sub-block scale), then 8 float lanes. A panel of 16 weight rows is repacked once per matmul: each
// row's runs of 32 quants in lane order (avx2_k_blocks.h), transposed so that one register holds one
// lane slot (4 quants) of every row, plus per-row scale pairs; gemm_avx512_k.h runs the activation
// rows over it.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <type_traits>

#include "backends/cpu/kernels/gemm_avx512_k.h"
#include "backends/cpu/kernels/gemm_pack.h"

namespace hearth::cpu {
namespace {

template <class T>
HEARTH_AVX512 void pack_panel(const GemmArgs& args, PanelSuperBlock* panel) {
    const auto row = [&](int r) {
        return reinterpret_cast<const typename T::Block*>(args.weights + static_cast<uint64_t>(r) * args.weight_stride);
    };
    for (int64_t i = 0; i < args.nblocks; ++i) {
        PanelSuperBlock& p = panel[i];
        __m256i runs[16][kRuns];
        alignas(64) uint32_t pairs[kRuns][16] = {};
        alignas(64) uint32_t min_pairs[kRuns / 2][16] = {};
        for (int r = 0; r < 16; ++r) {
            const bool present = r < args.weight_rows;
            if (present) {
                const typename T::Block& b = row(r)[i];
                T::runs(b, runs[r]);
                uint32_t row_pairs[kRuns];
                uint32_t row_mins[kRuns / 2];
                T::scale_pairs(b, row_pairs, row_mins);
                for (int k = 0; k < kRuns; ++k) pairs[k][r] = row_pairs[k];
                for (int t = 0; t < kRuns / 2; ++t) min_pairs[t][r] = row_mins[t];
            } else {
                for (int k = 0; k < kRuns; ++k) runs[r][k] = _mm256_setzero_si256();
            }
            p.d[r] = present ? _cvtsh_ss(row(r)[i].d) : 0.0f;
            p.dmin[r] = present ? _cvtsh_ss(T::dmin(row(r)[i])) : 0.0f;
        }
        for (int k = 0; k < kRuns; k += 2) {  // two runs of 8 slots per row: 16 int32 to transpose
            __m512i v[16];
            for (int r = 0; r < 16; ++r)
                v[r] = _mm512_inserti64x4(_mm512_castsi256_si512(runs[r][k]), runs[r][k + 1], 1);
            transpose16(v);
            for (int s = 0; s < 16; ++s) _mm512_store_si512(&p.slots[k * kSlots + s], v[s]);
        }
        for (int k = 0; k < kRuns; ++k) p.scales[k] = _mm512_load_si512(pairs[k]);
        for (int t = 0; t < kRuns / 2; ++t) p.mins[t] = _mm512_load_si512(min_pairs[t]);
        set_corrections<T>(p);
    }
}

template <class T>
HEARTH_AVX512 void gemm(const GemmArgs& args) {
    auto* panel = reinterpret_cast<PanelSuperBlock*>(args.panel);
    pack_panel<T>(args, panel);
    panel_columns<T>(args, panel);
}

}  // namespace

void add_avx512_k_gemm(GemmKernels& kernels) {
    kernels.q4_k = gemm<Q45<BlockQ4_K>>;
    kernels.q5_k = gemm<Q45<BlockQ5_K>>;
    kernels.q6_k = gemm<Q6>;
}

}  // namespace hearth::cpu
