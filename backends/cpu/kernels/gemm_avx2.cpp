// AVX2 prefill GEMM for Q4_0, Q4_1, Q5_0 and Q5_1 (contract in dot_kernels.h), the AVX-512 kernel's
// scheme (gemm_avx512.cpp) at half the width: the panel's 16 rows are repacked once, a register holds
// four consecutive quants of 8 rows, and the products with four broadcast activation quants land in
// the rows' lanes, so a block's integer sums need no horizontal step and the float steps of 8 outputs
// run in one register (avx2_legacy_traits.h's step8, per lane the reference's expression). Without
// VNNI the products take maddubs (pairs of quants, int16) and one madd per four groups: with unsigned
// quants below 32 the int16 sums of 8 products stay under 2^15, so every integer sum is exact. Q8_0
// keeps its signed quants and takes maddubs(|w|, sign(a, w)) with one madd per group: exact because
// activation quants from the quantizer lie in [-127, 127] (the pair sums stay under 2^15).
#include <type_traits>

#include "backends/cpu/kernels/avx2_legacy_traits.h"
#include "backends/cpu/kernels/avx2_transpose.h"
#include "backends/cpu/kernels/gemm_columns.h"
#include "backends/cpu/kernels/gemm_prefetch.h"

namespace hearth::cpu {
namespace {

constexpr int kGroups = 8;   // four-quant groups per block
constexpr int kColumns = 4;  // activation rows per pass over the panel

// One block of the repacked panel; the same layout as the AVX-512 kernel's: group g holds rows 0-7
// in its first 32 bytes and rows 8-15 in the next.
struct PanelBlock {
    __m256i groups[kGroups][2];
    float d[16];
    float m[16];
};
static_assert(sizeof(PanelBlock) == 8 * 64 + 2 * 64, "gemm_panel_bytes assumes this layout");

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

template <class T>
HEARTH_AVX2 void pack_panel(const GemmArgs& args, PanelBlock* panel) {
    const auto row = [&](int r) {
        return reinterpret_cast<const typename T::Weight*>(args.weights + static_cast<uint64_t>(r) * args.weight_stride);
    };
    for (int64_t i = 0; i < args.nblocks; ++i) {
        for (int half = 0; half < 2; ++half) {
            __m256i v[8];
            alignas(16) uint16_t d[8] = {};
            alignas(16) uint16_t m[8] = {};
            for (int k = 0; k < 8; ++k) {
                const int r = 8 * half + k;
                if (r >= args.weight_rows) {
                    v[k] = _mm256_setzero_si256();
                    continue;
                }
                const typename T::Weight& b = row(r)[i];
                v[k] = Packed<T>::quants(b);
                d[k] = b.d;
                if constexpr (T::kHasMin) m[k] = b.m;
            }
            transpose8(v);
            for (int g = 0; g < kGroups; ++g) _mm256_store_si256(&panel[i].groups[g][half], v[g]);
            _mm256_store_ps(panel[i].d + 8 * half, _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(d))));
            _mm256_store_ps(panel[i].m + 8 * half, _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(m))));
        }
    }
}

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
HEARTH_AVX2 void panel_columns(const GemmArgs& args, const PanelBlock* panel, int64_t c0) {
    const auto [y, info] = column_chunk<typename T::Act, C>(args, c0);
    __m256 sums[C][2];
    for (int c = 0; c < C; ++c) sums[c][0] = sums[c][1] = _mm256_setzero_ps();
    for (int64_t i = 0; i < args.nblocks; ++i) {
        if (c0 == 0) prefetch_next_panel(args, i, args.nblocks);
        const PanelBlock& p = panel[i];
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

template <class T>
HEARTH_AVX2 void gemm(const GemmArgs& args) {
    auto* panel = reinterpret_cast<PanelBlock*>(args.panel);
    pack_panel<T>(args, panel);
    for_column_chunks<kColumns>(args.act_rows, [&]<int C>(int64_t c0) HEARTH_AVX2 { panel_columns<T, C>(args, panel, c0); });
}

}  // namespace

GemmKernels avx2_gemm_kernels() {
    GemmKernels k;
    k.q4_0 = gemm<Q4_0>;
    k.q4_1 = gemm<Q4_1>;
    k.q5_0 = gemm<Q5_0>;
    k.q5_1 = gemm<Q5_1>;
    k.q8_0 = gemm<Q8_0>;
    return k;
}

}  // namespace hearth::cpu
