#pragma once
// Reading the K types' load-time panel layout (panel_k_layout.h) with AVX-512: per super-block, the
// quants of one lane slot of a run for all 16 rows (a mask or a shift of a 64-byte load's nibbles,
// or for Q5_K and Q6_K of its low bits or of top bits gathered from several loads; no transposition)
// and the rows' scales (a few shifts and byte shuffles). Shared by the exact kernels
// (panel_avx512_k.cpp) and the blockwise ones (panel_avx512_k_blockwise.cpp). Include only from files
// whose every caller carries HEARTH_AVX512.
#include "backends/cpu/kernels/avx512_blocks.h"
#include "backends/cpu/kernels/gemm_k_types.h"
#include "backends/cpu/kernels/panel_k_layout.h"

namespace hearth::cpu {
namespace {

HEARTH_AVX512 inline __m512i load(const void* p) { return _mm512_loadu_si512(p); }
HEARTH_AVX512 inline __m512i bytes(int value) { return _mm512_set1_epi8(static_cast<char>(value)); }
HEARTH_AVX512 inline __m512 halves16(const uint16_t* h) {
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(h)));
}

// Per dword, bytes (b, b1) of v zero-extended into its two int16: vpshufb with the same pick in every
// dword of the 128-bit lanes.
HEARTH_AVX512 inline __m512i pick_pair(__m512i v, int b, int b1) {
    return _mm512_shuffle_epi8(v, _mm512_broadcast_i32x4(pick_pair_control(b, b1)));
}

// Q4_K and Q5_K over the layout (panel_k_layout.h).
template <bool kFiveBits>
struct Q45Panel : Q45Layout<kFiveBits> {
    using typename Q45Layout<kFiveBits>::SuperBlock;
    using Gemm = Q45<typename Q45Layout<kFiveBits>::Block>;

    // visit(k, l, quants of run k's slot l for the 16 rows), the unsigned quants maddubs takes first,
    // in the order of their bytes: a stride through the super-block (a run pair's slots, 512 bytes
    // apart) left the hardware prefetchers idle and made each slot's sums one chain.
    template <class Visit>
    HEARTH_AVX512 static void for_slots(const SuperBlock& p, const Visit& visit) {
        // Unrolled, so that a visitor's indices by run or slot pick registers.
#pragma GCC unroll 4
        for (int j = 0; j < kRuns / 2; ++j) {
            if constexpr (kFiveBits) {
#pragma GCC unroll 2
                for (int v = 0; v < Q45Panel::kSlotGroups; ++v) {
                    // Group (j, v): run 2j at slots 4v..4v + 3, then run 2j + 1 (panel_k_layout.h); each
                    // byte's bits are masked before they shift, so none crosses into the next byte.
                    __m512i raw[5], quants[8];
                    for (int i = 0; i < 5; ++i) raw[i] = load(p.groups[j][v][i]);
                    const __m512i low5 = bytes(0x1F), low4 = bytes(0x0F), bit5 = bytes(0x20), top2 = bytes(0xC0);
                    for (int i = 0; i < 4; ++i) quants[i] = _mm512_and_si512(raw[i], low5);
                    quants[4] = _mm512_or_si512(_mm512_and_si512(raw[4], low4), _mm512_srli_epi16(_mm512_and_si512(raw[1], bit5), 1));
                    quants[5] = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(raw[4], 4), low4),
                                                _mm512_srli_epi16(_mm512_and_si512(raw[3], bit5), 1));
                    for (int n = 0; n < 2; ++n)
                        quants[6 + n] = _mm512_or_si512(_mm512_srli_epi16(_mm512_andnot_si512(low5, raw[2 * n]), 5),
                                                        _mm512_srli_epi16(_mm512_and_si512(raw[2 * n + 1], top2), 3));
                    for (int q = 0; q < 8; ++q) visit(2 * j + q / 4, 4 * v + q % 4, quants[q]);
                }
            } else {
#pragma GCC unroll 8
                for (int l = 0; l < kSlots; ++l) {
                    const __m512i raw = load(p.nibbles[j][l]);
                    visit(2 * j, l, _mm512_and_si512(raw, bytes(0x0F)));
                    visit(2 * j + 1, l, _mm512_and_si512(_mm512_srli_epi16(raw, 4), bytes(0x0F)));
                }
            }
        }
    }

    template <class Visit>
    HEARTH_AVX512 static void for_unsigned_slots(const SuperBlock& p, const Visit& visit) {
        for_slots(p, visit);
    }

    // get_scale_min_k4 for the 16 rows at once: run k's scale in both int16 of a pair, the mins of
    // runs 2t and 2t + 1 as pair t.
    HEARTH_AVX512 static void scales(const SuperBlock& p, __m512i* pairs, __m512i* min_pairs) {
        const __m512i w0 = load(p.scale_words[0]), w1 = load(p.scale_words[1]), w2 = load(p.scale_words[2]);
        const __m512i low6 = bytes(0x3F), low4 = bytes(0x0F), top2 = bytes(0x30);
        const __m512i scales_lo = _mm512_and_si512(w0, low6);  // runs 0-3
        const __m512i mins_lo = _mm512_and_si512(w1, low6);
        const __m512i scales_hi = _mm512_or_si512(_mm512_and_si512(w2, low4), _mm512_and_si512(_mm512_srli_epi32(w0, 2), top2));
        const __m512i mins_hi = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi32(w2, 4), low4),
                                                _mm512_and_si512(_mm512_srli_epi32(w1, 2), top2));
        for (int k = 0; k < 4; ++k) {
            pairs[k] = pick_pair(scales_lo, k, k);
            pairs[4 + k] = pick_pair(scales_hi, k, k);
        }
        for (int t = 0; t < 2; ++t) {
            min_pairs[t] = pick_pair(mins_lo, 2 * t, 2 * t + 1);
            min_pairs[2 + t] = pick_pair(mins_hi, 2 * t, 2 * t + 1);
        }
    }

    HEARTH_AVX512 static __m512 dmin(const SuperBlock& p) { return halves16(p.dmin); }
};

// Q6_K over the layout (panel_k_layout.h).
struct Q6Panel : Q6Layout {
    using Gemm = Q6;

    // visit(k, l, quants of run k's slot l for the 16 rows), unsigned (0..63), in the order of the
    // layout's groups (see Q45Panel::for_slots): per group, run 2t at slots 2u and 2u + 1, then run
    // 2t + 1 at slots 2u and 2u + 1.
    template <class Visit>
    HEARTH_AVX512 static void for_unsigned_slots(const SuperBlock& p, const Visit& visit) {
        const __m512i low6 = bytes(0x3F);
        // Unrolled, so that a visitor's indices by run or slot pick registers.
#pragma GCC unroll 4
        for (int t = 0; t < kGroups; ++t)
#pragma GCC unroll 4
            for (int u = 0; u < kGroups; ++u) {
                __m512i quants[4], fourth = _mm512_setzero_si512();
                for (int n = 0; n < 3; ++n) {
                    const __m512i raw = load(p.groups[t][u][n]);
                    quants[n] = _mm512_and_si512(raw, low6);
                    // Its top two bits to bits 2n, 2n + 1 (masked first, so no bit crosses into the next byte).
                    fourth = _mm512_or_si512(fourth, _mm512_srli_epi16(_mm512_andnot_si512(low6, raw), 6 - 2 * n));
                }
                quants[3] = fourth;
                for (int n = 0; n < 4; ++n) visit(2 * t + n / 2, 2 * u + n % 2, quants[n]);
            }
    }

    // The same quants less 32, signed as the GEMM's Q6 takes them.
    template <class Visit>
    HEARTH_AVX512 static void for_slots(const SuperBlock& p, const Visit& visit) {
        for_unsigned_slots(p, [&](int k, int l, __m512i q) HEARTH_AVX512 { visit(k, l, _mm512_sub_epi8(q, bytes(32))); });
    }

    // Run k's pair (scale 2k, scale 2k + 1) sign-extended into the two int16 of each dword.
    HEARTH_AVX512 static void scales(const SuperBlock& p, __m512i* pairs, __m512i*) {
        for (int v = 0; v < kRuns / 2; ++v) {
            const __m512i raw = load(p.scales[v]);
            pairs[2 * v] = _mm512_srai_epi16(_mm512_slli_epi16(raw, 8), 8);
            pairs[2 * v + 1] = _mm512_srai_epi16(raw, 8);
        }
    }

    HEARTH_AVX512 static __m512 dmin(const SuperBlock&) { return _mm512_setzero_ps(); }
};

}  // namespace
}  // namespace hearth::cpu
