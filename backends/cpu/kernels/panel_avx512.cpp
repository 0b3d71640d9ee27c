// The AVX-512 VNNI matmul over Q4_0, Q4_1, Q5_0 and Q5_1 weights repacked at load into 16-row
// panels (panel_legacy_layout.h), for one activation row (decode) or many. Per block, a register
// holds 4 quant bytes of each of the 16 rows: their low nibbles are quants 4t..4t+3 and their high
// nibbles quants 16+4t..19+4t, so two masks (and for the 5-bit types a shift and mask of the rows'
// regrouped fifth bits) give the eight four-quant groups of gemm_avx512.cpp's panels with no
// transposition. (Q8_0 in this layout measured slower in decode, 40 against 42 t/s
// on llama-1b: its weights already stream at the machine's bandwidth.) vpdpbusd
// with 4 broadcast activation quants adds each group's products to the 16 rows' block sums, and the
// float steps of the 16 outputs run in one register (per lane the reference's expression in its
// block order), so every output equals vec_dot bit for bit. The layout has the file's size, so
// repacking costs no memory, and the weights are read as one stream.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include "backends/cpu/kernels/avx512_legacy_traits.h"
#include "backends/cpu/kernels/dot_kernels.h"
#include "backends/cpu/kernels/gemm_columns.h"
#include "backends/cpu/kernels/gemm_avx512_store.h"
#include "backends/cpu/kernels/gemm_prefetch.h"
#include "backends/cpu/kernels/panel_legacy_layout.h"

namespace hearth::cpu {
namespace {

constexpr int kRows = kGemmPanelRows;
constexpr int kColumns = 8;  // activation rows per pass over a panel

// The block's 8 four-quant groups of the 16 rows as unsigned bytes: the low and high nibbles.
template <class T>
using PanelBlock = LegacyPanelBlock<typename T::Weight>;

template <class T>
HEARTH_AVX512 inline void unpack_groups(const PanelBlock<T>& p, __m512i* groups) {
    const __m512i nibble = _mm512_set1_epi8(0x0F);
    for (int t = 0; t < 4; ++t) {
        const __m512i raw = _mm512_loadu_si512(p.quads[t]);
        groups[t] = _mm512_and_si512(raw, nibble);
        groups[4 + t] = _mm512_and_si512(_mm512_srli_epi16(raw, 4), nibble);
    }
    if constexpr (PanelBlock<T>::kFiveBits) {
        // Bit g of each byte is group g's fifth bit: moved to bit 4 (shifts within 16-bit lanes
        // carry bits across bytes, which the mask drops).
        const __m512i bits = _mm512_loadu_si512(p.fifth_bits.data());
        const __m512i fifth = _mm512_set1_epi8(0x10);
#pragma GCC unroll 8
        for (int g = 0; g < 8; ++g) {
            const __m512i at4 = g <= 4 ? _mm512_slli_epi16(bits, 4 - g) : _mm512_srli_epi16(bits, g - 4);
            groups[g] = _mm512_or_si512(groups[g], _mm512_and_si512(at4, fifth));
        }
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
        const __m512 xm = PanelBlock<T>::kHasMin ? halves16(p.scales + kRows) : _mm512_setzero_ps();
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
    k.q4_0 = {repack_legacy_panels<BlockQ4_0>, gemm<Q4_0>};
    k.q4_1 = {repack_legacy_panels<BlockQ4_1>, gemm<Q4_1>};
    k.q5_0 = {repack_legacy_panels<BlockQ5_0>, gemm<Q5_0>};
    k.q5_1 = {repack_legacy_panels<BlockQ5_1>, gemm<Q5_1>};
    return k;
}

}  // namespace hearth::cpu
