// Q4_0 and Q4_1 weights repacked at load into 16-row panels (kPanelLayout, dot_kernels.h) and the
// AVX-512 VNNI matmul over them, for one activation row (decode) or many. Per block, a register
// holds 4 quant bytes of each of the 16 rows: their low nibbles are quants 4t..4t+3 and their high
// nibbles quants 16+4t..19+4t, so two masks give the eight four-quant groups of gemm_avx512.cpp's
// panels with no transposition. (Q8_0 in this layout measured slower in decode, 40 against 42 t/s
// on llama-1b: its weights already stream at the machine's bandwidth.) vpdpbusd
// with 4 broadcast activation quants adds each group's products to the 16 rows' block sums, and the
// float steps of the 16 outputs run in one register (per lane the reference's expression in its
// block order), so every output equals vec_dot bit for bit. The layout has the file's size, so
// repacking costs no memory, and the weights are read as one stream.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <cstring>

#include "backends/cpu/kernels/avx512_legacy_traits.h"
#include "backends/cpu/kernels/dot_kernels.h"
#include "backends/cpu/kernels/gemm_columns.h"
#include "backends/cpu/kernels/gemm_avx512_store.h"
#include "backends/cpu/kernels/gemm_prefetch.h"

namespace hearth::cpu {
namespace {

constexpr int kRows = kGemmPanelRows;
constexpr int kColumns = 8;  // activation rows per pass over a panel

// How a type sits in the panel layout: kQuads dwords of nibble bytes per row and block, and whether
// it has an offset field m beside d.
template <class T>
struct Layout;
template <>
struct Layout<Q4_0> {
    static constexpr int kQuads = 4;
    static constexpr bool kMin = false;
};
template <>
struct Layout<Q4_1> {
    static constexpr int kQuads = 4;
    static constexpr bool kMin = true;
};

// One block of 16 rows in the panel layout: [t][row] holds quant bytes 4t..4t+3 of the row's block,
// then the 16 fp16 d (and for types with an offset, the 16 m).
template <class T>
struct PanelBlock {
    uint8_t quads[Layout<T>::kQuads][kRows][4];
    uint16_t scales[Layout<T>::kMin ? 2 * kRows : kRows];
};
static_assert(sizeof(PanelBlock<Q4_0>) == kRows * sizeof(BlockQ4_0), "the panel layout keeps the file's size");
static_assert(sizeof(PanelBlock<Q4_1>) == kRows * sizeof(BlockQ4_1), "the panel layout keeps the file's size");

template <class T>
void repack(const uint8_t* src, int64_t rows, int64_t nblocks, uint8_t* dst) {
    const auto* in = reinterpret_cast<const typename T::Weight*>(src);
    auto* out = reinterpret_cast<PanelBlock<T>*>(dst);
    for (int64_t panel = 0; panel < rows / kRows; ++panel) {
        for (int64_t i = 0; i < nblocks; ++i) {
            PanelBlock<T>& p = out[panel * nblocks + i];
            for (int r = 0; r < kRows; ++r) {
                const typename T::Weight& b = in[(panel * kRows + r) * nblocks + i];
                for (int t = 0; t < Layout<T>::kQuads; ++t) std::memcpy(p.quads[t][r], b.qs + 4 * t, 4);
                p.scales[r] = b.d;
                if constexpr (Layout<T>::kMin) p.scales[kRows + r] = b.m;
            }
        }
    }
}

// The block's 8 four-quant groups of the 16 rows as unsigned bytes: the low and high nibbles.
template <class T>
HEARTH_AVX512 inline void unpack_groups(const PanelBlock<T>& p, __m512i* groups) {
    const __m512i nibble = _mm512_set1_epi8(0x0F);
    for (int t = 0; t < 4; ++t) {
        const __m512i raw = _mm512_loadu_si512(p.quads[t]);
        groups[t] = _mm512_and_si512(raw, nibble);
        groups[4 + t] = _mm512_and_si512(_mm512_srli_epi16(raw, 4), nibble);
    }
}

HEARTH_AVX512 inline __m512 halves16(const uint16_t* h) {
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(h)));
}

// Activation rows [c0, c0 + C) over one panel.
template <class T, int C>
HEARTH_AVX512 void panel_columns(const GemmArgs& args, int64_t c0) {
    const auto* panel = reinterpret_cast<const PanelBlock<T>*>(args.weights);
    const auto [y, info] = column_chunk<typename T::Act, C>(args, c0);
    __m512 sums[C];
    for (int c = 0; c < C; ++c) sums[c] = _mm512_setzero_ps();
    for (int64_t i = 0; i < args.nblocks; ++i) {
        if (c0 == 0) prefetch_next_panel(args, i, args.nblocks);
        const PanelBlock<T>& p = panel[i];
        __m512i groups[8];
        unpack_groups<T>(p, groups);
        const __m512 xd = halves16(p.scales);
        const __m512 xm = Layout<T>::kMin ? halves16(p.scales + kRows) : _mm512_setzero_ps();
        for (int c = 0; c < C; ++c)
            sums[c] = _mm512_add_ps(sums[c], panel_block_terms<T>(groups, y[c][i].qs, info[c][i], xd, xm));
    }
    const PanelOutputs outputs(args);
    for (int c = 0; c < C; ++c) outputs.store(c0 + c, sums[c]);
    outputs.finish();
}

template <class T>
HEARTH_AVX512 void gemm(const GemmArgs& args) {
    for_column_chunks<kColumns>(args.act_rows, [&]<int C>(int64_t c0) HEARTH_AVX512 { panel_columns<T, C>(args, c0); });
}

}  // namespace

PerWeightType<PanelKernel> avx512_panel_kernels() {
    PerWeightType<PanelKernel> k;
    k.q4_0 = {repack<Q4_0>, gemm<Q4_0>};
    k.q4_1 = {repack<Q4_1>, gemm<Q4_1>};
    return k;
}

}  // namespace hearth::cpu
