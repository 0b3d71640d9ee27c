// The AVX2 matmul over Q4_0, Q4_1, Q5_0 and Q5_1 weights repacked at load into 16-row panels
// (panel_legacy_layout.h), for CPUs without AVX-512 VNNI: the AVX-512 kernel's scheme
// (panel_avx512.cpp) on each 8-row half of a panel. A 32-byte load holds 4 quant bytes of each of 8
// rows; a mask and a shift of its nibbles give two four-quant groups of those rows (the 5-bit types
// add a shift and mask of the rows' regrouped fifth bits per group), so the products with 4
// broadcast activation quants land in the rows' lanes with no horizontal sums (the file-layout
// decode kernel, decode_avx2.cpp, pays a hadd tree and a gather of the rows' scales per block).
// Without VNNI the products take maddubs, and groups add as int16 before one madd: 16 products of a
// 4-bit quant and an activation quant stay under 2^15 (16 * 15 * 128 = 30720), and so do 8 of a
// 5-bit quant (8 * 31 * 128 = 31744), so every integer sum is exact. One to three activation rows
// run straight from the layout; batches of kGemmMinRows+ rows expand each panel once into the AVX2
// GEMM's form (gemm_avx2_legacy.h). Both follow the reference's float steps lane by lane, so every
// output equals vec_dot bit for bit.
#include "backends/cpu/kernels/gemm_avx2_legacy.h"
#include "backends/cpu/kernels/panel_legacy_layout.h"

namespace hearth::cpu {
namespace {

constexpr int kHalfRows = 8;
constexpr int kHalves = kGemmPanelRows / kHalfRows;
constexpr int kDirectColumns = 3;  // activation rows per pass when the panel is not expanded

template <class T>
using PanelBlock = LegacyPanelBlock<typename T::Weight>;

// The block's 8 four-quant groups of rows 8 * half .. 8 * half + 7 as unsigned bytes.
template <class T>
HEARTH_AVX2 inline void unpack_groups(const PanelBlock<T>& p, int half, __m256i* groups) {
    const __m256i nibble = _mm256_set1_epi8(0x0F);
    for (int t = 0; t < PanelBlock<T>::kQuads; ++t) {
        const __m256i raw = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.quads[t][kHalfRows * half]));
        groups[t] = _mm256_and_si256(raw, nibble);
        groups[PanelBlock<T>::kQuads + t] = _mm256_and_si256(_mm256_srli_epi16(raw, 4), nibble);
    }
    if constexpr (PanelBlock<T>::kFiveBits) {
        // Bit g of each byte is group g's fifth bit: moved to bit 4 (shifts within 16-bit lanes
        // carry bits across bytes, which the mask drops).
        const __m256i bits = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.fifth_bits.data() + kHalfRows * half));
        const __m256i fifth = _mm256_set1_epi8(0x10);
#pragma GCC unroll 8
        for (int g = 0; g < kGroups; ++g) {
            const __m256i at4 = g <= 4 ? _mm256_slli_epi16(bits, 4 - g) : _mm256_srli_epi16(bits, g - 4);
            groups[g] = _mm256_or_si256(groups[g], _mm256_and_si256(at4, fifth));
        }
    }
}

// Lane r: the block's integer sum for row r of the half, less the type's offset term; kPerMadd
// groups add as int16 before each madd (see the bounds above).
template <class T>
HEARTH_AVX2 inline __m256i direct_block_sums(const __m256i* groups, const int32_t* quads, const GemmActBlock& a) {
    constexpr int kPerMadd = PanelBlock<T>::kFiveBits ? 4 : 8;
    __m256i sum = _mm256_set1_epi32(-a.offset_sum);
    for (int g0 = 0; g0 < kGroups; g0 += kPerMadd) {
        __m256i pairs = _mm256_setzero_si256();
        for (int g = g0; g < g0 + kPerMadd; ++g) pairs = _mm256_add_epi16(pairs, _mm256_maddubs_epi16(groups[g], _mm256_set1_epi32(quads[g])));
        sum = _mm256_add_epi32(sum, _mm256_madd_epi16(pairs, ones16()));
    }
    return sum;
}

// Activation rows [c0, c0 + C) over the panel, straight from the layout.
template <class T, int C>
HEARTH_AVX2 void direct_columns(const GemmArgs& args, int64_t c0) {
    const auto* panel = reinterpret_cast<const PanelBlock<T>*>(args.weights);
    const auto [y, info] = column_chunk<typename T::Act, C>(args, c0);
    __m256 sums[C][kHalves];
    for (int c = 0; c < C; ++c)
        for (int half = 0; half < kHalves; ++half) sums[c][half] = _mm256_setzero_ps();
    for (int64_t i = 0; i < args.nblocks; ++i) {
        if (c0 == 0) prefetch_next_panel(args, i, args.nblocks);
        const PanelBlock<T>& p = panel[i];
        for (int half = 0; half < kHalves; ++half) {
            __m256i groups[kGroups];
            unpack_groups<T>(p, half, groups);
            const __m256 xd = halves8(p.scales + kHalfRows * half);
            const __m256 xm = PanelBlock<T>::kHasMin ? halves8(p.scales + kGemmPanelRows + kHalfRows * half) : _mm256_setzero_ps();
            for (int c = 0; c < C; ++c) {
                const GemmActBlock& a = info[c][i];
                const __m256i sumi = direct_block_sums<T>(groups, reinterpret_cast<const int32_t*>(y[c][i].qs), a);
                const LaneScales s{xd, xm, _mm256_set1_ps(a.d), _mm256_set1_ps(a.m)};
                sums[c][half] = T::step8(sums[c][half], s, _mm256_cvtepi32_ps(sumi));
            }
        }
    }
    for (int c = 0; c < C; ++c)
        for (int half = 0; half < kHalves; ++half)
            _mm256_storeu_ps(args.out + (c0 + c) * args.out_stride + kHalfRows * half, sums[c][half]);
}

// The panel in the AVX2 GEMM's expanded form (gemm_avx2_legacy.h), for batches.
template <class T>
HEARTH_AVX2 void expand(const GemmArgs& args, ExpandedPanelBlock* expanded) {
    const auto* panel = reinterpret_cast<const PanelBlock<T>*>(args.weights);
    for (int64_t i = 0; i < args.nblocks; ++i) {
        const PanelBlock<T>& p = panel[i];
        ExpandedPanelBlock& e = expanded[i];
        for (int half = 0; half < kHalves; ++half) {
            __m256i groups[kGroups];
            unpack_groups<T>(p, half, groups);
            for (int g = 0; g < kGroups; ++g) _mm256_store_si256(&e.groups[g][half], groups[g]);
            _mm256_store_ps(e.d + kHalfRows * half, halves8(p.scales + kHalfRows * half));
            _mm256_store_ps(e.m + kHalfRows * half, PanelBlock<T>::kHasMin ? halves8(p.scales + kGemmPanelRows + kHalfRows * half)
                                                                           : _mm256_setzero_ps());
        }
    }
}

template <class T>
HEARTH_AVX2 void gemm(const GemmArgs& args) {
    if (args.panel == nullptr) {
        for_column_chunks<kDirectColumns>(args.act_rows, [&]<int C>(int64_t c0) HEARTH_AVX2 { direct_columns<T, C>(args, c0); });
        return;
    }
    auto* expanded = reinterpret_cast<ExpandedPanelBlock*>(args.panel);
    expand<T>(args, expanded);
    run_columns<T>(args, expanded);
}

}  // namespace

void add_avx2_legacy_panel_kernels(PerWeightType<PanelKernel>& kernels) {
    kernels.q4_0 = {repack_legacy_panels<BlockQ4_0>, gemm<Q4_0>};
    kernels.q4_1 = {repack_legacy_panels<BlockQ4_1>, gemm<Q4_1>};
    kernels.q5_0 = {repack_legacy_panels<BlockQ5_0>, gemm<Q5_0>};
    kernels.q5_1 = {repack_legacy_panels<BlockQ5_1>, gemm<Q5_1>};
}

}  // namespace hearth::cpu
