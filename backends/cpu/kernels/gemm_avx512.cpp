// AVX-512 VNNI prefill GEMM for the legacy types (contract in dot_kernels.h). A panel of 16 weight
// rows is repacked once: each row's quants made unsigned (avx512_legacy_traits.h), then transposed so
// that one register holds four consecutive quants of each of the 16 rows. One vpdpbusd with four
// activation quants broadcast then adds those products to all 16 rows' block sums at once, lane r
// being row r: a block's 8 steps leave its exact integer sums in the lanes, with no horizontal
// reduction, and the float steps of the 16 outputs of an activation row run in one register, per lane
// the reference's expression in its block order, so every output equals vec_dot bit for bit.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <algorithm>

#include "backends/cpu/kernels/avx512_legacy_traits.h"
#include "backends/cpu/kernels/dot_kernels.h"
#include "backends/cpu/kernels/gemm_columns.h"
#include "backends/cpu/kernels/gemm_avx512_store.h"
#include "backends/cpu/kernels/gemm_pack.h"
#include "backends/cpu/kernels/gemm_prefetch.h"

namespace hearth::cpu {
namespace {

constexpr int kGroups = 8;       // four-quant groups per block
constexpr int kColumns = 8;      // activation rows per pass over the panel

// The repacked panel: per block, kGroups registers of 16 rows x 4 quants, then 16 d and 16 m floats.
struct PanelBlock {
    __m512i groups[kGroups];
    float d[16];
    float m[16];
};
static_assert(sizeof(PanelBlock) == 8 * 64 + 2 * 64, "gemm_panel_bytes assumes this layout");

template <class T>
HEARTH_AVX512 void pack_panel(const GemmArgs& args, PanelBlock* panel) {
    const auto row = [&](int r) {
        return reinterpret_cast<const typename T::Weight*>(args.weights + static_cast<uint64_t>(r) * args.weight_stride);
    };
    for (int64_t i = 0; i < args.nblocks; i += 2) {
        const bool pair = i + 1 < args.nblocks;
        __m512i v[16];  // row r's blocks i and i + 1 as unsigned bytes, element order
        for (int r = 0; r < 16; ++r)
            v[r] = r < args.weight_rows ? T::unpack(row(r) + i, pair ? row(r) + i + 1 : nullptr) : _mm512_setzero_si512();
        transpose16(v);
        for (int g = 0; g < kGroups; ++g) {
            _mm512_store_si512(&panel[i].groups[g], v[g]);
            if (pair) _mm512_store_si512(&panel[i + 1].groups[g], v[kGroups + g]);
        }
        for (int64_t b = i; b < i + (pair ? 2 : 1); ++b) {
            for (int r = 0; r < 16; ++r) {
                const bool present = r < args.weight_rows;
                panel[b].d[r] = present ? _cvtsh_ss(row(r)[b].d) : 0.0f;
                panel[b].m[r] = present ? _cvtsh_ss(T::weight_m(row(r)[b])) : 0.0f;
            }
        }
    }
}

// Activation rows [c0, c0 + C) over the whole panel.
template <class T, int C>
HEARTH_AVX512 void panel_columns(const GemmArgs& args, const PanelBlock* panel, int64_t c0) {
    const auto [y, info] = column_chunk<typename T::Act, C>(args, c0);
    __m512 sums[C];
    for (int c = 0; c < C; ++c) sums[c] = _mm512_setzero_ps();
    for (int64_t i = 0; i < args.nblocks; ++i) {
        if (c0 == 0) prefetch_next_panel(args, i, args.nblocks);
        const PanelBlock& p = panel[i];
        const __m512 xd = _mm512_load_ps(p.d);
        const __m512 xm = _mm512_load_ps(p.m);
        for (int c = 0; c < C; ++c)
            sums[c] = _mm512_add_ps(sums[c], panel_block_terms<T>(p.groups, y[c][i].qs, info[c][i], xd, xm));
    }
    const PanelOutputs outputs(args);
    for (int c = 0; c < C; ++c) outputs.store(c0 + c, sums[c]);
    outputs.finish();
}

template <class T>
HEARTH_AVX512 void gemm(const GemmArgs& args) {
    auto* panel = reinterpret_cast<PanelBlock*>(args.panel);
    pack_panel<T>(args, panel);
    for_column_chunks<kColumns>(args.act_rows, [&]<int C>(int64_t c0) HEARTH_AVX512 { panel_columns<T, C>(args, panel, c0); });
}

}  // namespace

GemmKernels avx512_gemm_kernels() {
    GemmKernels k;
    k.q4_0 = gemm<Q4_0>;
    k.q4_1 = gemm<Q4_1>;
    k.q5_0 = gemm<Q5_0>;
    k.q5_1 = gemm<Q5_1>;
    k.q8_0 = gemm<Q8_0>;
    return k;
}

}  // namespace hearth::cpu
