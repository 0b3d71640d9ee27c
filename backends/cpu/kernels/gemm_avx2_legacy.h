#pragma once
// The expanded legacy-type panel the AVX2 GEMM kernels run their activation rows over, and that run
// (gemm_avx2.cpp packs it from the file's rows, panel_avx2.cpp from the load-time layout). Include
// only from files whose every caller carries HEARTH_AVX2.
#include <type_traits>

#include "backends/cpu/kernels/avx2_legacy_traits.h"
#include "backends/cpu/kernels/gemm_columns.h"
#include "backends/cpu/kernels/gemm_prefetch.h"

namespace hearth::cpu {
namespace {

constexpr int kGroups = 8;   // four-quant groups per block
constexpr int kColumns = 4;  // activation rows per pass over the panel

// One block of the expanded panel; the same layout as the AVX-512 GEMM's: group g holds rows 0-7
// in its first 32 bytes and rows 8-15 in the next.
struct ExpandedPanelBlock {
    __m256i groups[kGroups][2];
    float d[16];
    float m[16];
};
static_assert(sizeof(ExpandedPanelBlock) == 8 * 64 + 2 * 64, "gemm_panel_bytes assumes this layout");

// The 32 quants of a weight block as the panel stores them: unsigned for the 4- and 5-bit types,
// Q8_0's signed bytes as they are (kSigned).
template <class T>
struct Packed {
    static constexpr bool kSigned = std::is_same_v<T, Q8_0>;
    HEARTH_AVX2 static __m256i quants(const typename T::Weight& b) {
        if constexpr (kSigned) return load32(b.qs);
        else return T::unpack(b);
    }
};

// The integer sums of one block for 8 rows (one half of the panel) and the activation's groups.
template <bool Signed>
HEARTH_AVX2 inline __m256i block_sums(const __m256i (*groups)[2], int half, const int32_t* quads) {
    if constexpr (Signed) {
        __m256i sum = _mm256_setzero_si256();
        for (int g = 0; g < kGroups; ++g) {
            const __m256i w = _mm256_load_si256(&groups[g][half]);
            const __m256i a = _mm256_sign_epi8(_mm256_set1_epi32(quads[g]), w);
            sum = _mm256_add_epi32(sum, _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_abs_epi8(w), a), ones16()));
        }
        return sum;
    }
    __m256i pairs[2];
    for (int q = 0; q < 2; ++q) {
        __m256i sum = _mm256_setzero_si256();
        for (int g = 4 * q; g < 4 * q + 4; ++g)
            sum = _mm256_add_epi16(sum, _mm256_maddubs_epi16(_mm256_load_si256(&groups[g][half]), _mm256_set1_epi32(quads[g])));
        pairs[q] = _mm256_madd_epi16(sum, ones16());
    }
    return _mm256_add_epi32(pairs[0], pairs[1]);
}

// Activation rows [c0, c0 + C) over the whole panel.
template <class T, int C>
HEARTH_AVX2 void panel_columns(const GemmArgs& args, const ExpandedPanelBlock* panel, int64_t c0) {
    const auto [y, info] = column_chunk<typename T::Act, C>(args, c0);
    __m256 sums[C][2];
    for (int c = 0; c < C; ++c) sums[c][0] = sums[c][1] = _mm256_setzero_ps();
    for (int64_t i = 0; i < args.nblocks; ++i) {
        if (c0 == 0) prefetch_next_panel(args, i, args.nblocks);
        const ExpandedPanelBlock& p = panel[i];
        for (int c = 0; c < C; ++c) {
            const auto* quads = reinterpret_cast<const int32_t*>(y[c][i].qs);
            const GemmActBlock& a = info[c][i];
            for (int half = 0; half < 2; ++half) {
                // Signed quants need no offset (a.offset_sum is the unsigned kernels' 128 * sum).
                const __m256i offset = _mm256_set1_epi32(Packed<T>::kSigned ? 0 : a.offset_sum);
                const __m256i sumi = _mm256_sub_epi32(block_sums<Packed<T>::kSigned>(p.groups, half, quads), offset);
                const LaneScales s{_mm256_load_ps(p.d + 8 * half), _mm256_load_ps(p.m + 8 * half), _mm256_set1_ps(a.d),
                                   _mm256_set1_ps(a.m)};
                sums[c][half] = T::step8(sums[c][half], s, _mm256_cvtepi32_ps(sumi));
            }
        }
    }
    const int rows = args.weight_rows;
    for (int c = 0; c < C; ++c) {
        alignas(32) float out[16];
        _mm256_store_ps(out, sums[c][0]);
        _mm256_store_ps(out + 8, sums[c][1]);
        float* dst = args.out + (c0 + c) * args.out_stride;
        for (int r = 0; r < rows; ++r) dst[r] = out[r];
    }
}

// Every activation row of args over the expanded panel, kColumns at a time.
template <class T>
HEARTH_AVX2 void run_columns(const GemmArgs& args, const ExpandedPanelBlock* panel) {
    for_column_chunks<kColumns>(args.act_rows, [&]<int C>(int64_t c0) HEARTH_AVX2 { panel_columns<T, C>(args, panel, c0); });
}

}  // namespace
}  // namespace hearth::cpu
