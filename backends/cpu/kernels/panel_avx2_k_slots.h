#pragma once
// Reading the K types' load-time panel layout (panel_k_layout.h) with AVX2, 8 rows (half a panel)
// per register: a 32-byte load holds 4 quant bytes of each of 8 rows in lane order; a mask or a
// shift of its nibbles (Q4_K), or of its low bits or its top bits gathered from several loads (Q5_K,
// Q6_K), gives one lane slot of a run for those rows, and the scale dwords unpack with a few shifts
// and byte shuffles. Shared by the exact kernels (panel_avx2_k.cpp) and the blockwise ones
// (panel_avx2_k_blockwise.cpp). Include only from files whose every caller carries HEARTH_AVX2.
#include "backends/cpu/kernels/gemm_avx2_k.h"
#include "backends/cpu/kernels/panel_k_layout.h"

namespace hearth::cpu {
namespace {

constexpr int kHalfRows = kRows / kHalves;

HEARTH_AVX2 inline __m256i load(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }
HEARTH_AVX2 inline __m256i bytes(int value) { return _mm256_set1_epi8(static_cast<char>(value)); }

// Per dword, bytes (b, b1) of v zero-extended into its two int16.
HEARTH_AVX2 inline __m256i pick_pair(__m256i v, int b, int b1) {
    return _mm256_shuffle_epi8(v, _mm256_broadcastsi128_si256(pick_pair_control(b, b1)));
}

// Q4_K and Q5_K over the layout, rows 8 * half .. 8 * half + 7.
template <bool kFiveBits>
struct Q45Half : Q45Layout<kFiveBits> {
    using typename Q45Layout<kFiveBits>::SuperBlock;
    using Gemm = Q45<typename Q45Layout<kFiveBits>::Block>;

    // Q4_K: runs 2j and 2j + 1 of slot l (unsigned quants) for rows 8 * half .. 8 * half + 7.
    HEARTH_AVX2 static void run_pair(const SuperBlock& p, int half, int j, int l, __m256i* runs) {
        static_assert(!kFiveBits, "Q5_K's quants are read by group");
        const __m256i raw = load(p.nibbles[j][l][kHalfRows * half]);
        runs[0] = _mm256_and_si256(raw, bytes(0x0F));
        runs[1] = _mm256_and_si256(_mm256_srli_epi16(raw, 4), bytes(0x0F));
    }

    // Q5_K: group (j, v)'s unsigned quants for rows 8 * half .. 8 * half + 7: run 2j at slots 4v..4v + 3,
    // then run 2j + 1 at the same slots (panel_k_layout.h). Each byte's bits are masked before they
    // shift, so none crosses into the next byte.
    HEARTH_AVX2 static void group(const SuperBlock& p, int half, int j, int v, __m256i* quants) {
        const int r0 = kHalfRows * half;
        __m256i raw[5];
        for (int i = 0; i < 5; ++i) raw[i] = load(p.groups[j][v][i][r0]);
        const __m256i low5 = bytes(0x1F), low4 = bytes(0x0F), bit5 = bytes(0x20), top2 = bytes(0xC0);
        for (int i = 0; i < 4; ++i) quants[i] = _mm256_and_si256(raw[i], low5);
        quants[4] = _mm256_or_si256(_mm256_and_si256(raw[4], low4), _mm256_srli_epi16(_mm256_and_si256(raw[1], bit5), 1));
        quants[5] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(raw[4], 4), low4), _mm256_srli_epi16(_mm256_and_si256(raw[3], bit5), 1));
        for (int n = 0; n < 2; ++n)
            quants[6 + n] = _mm256_or_si256(_mm256_srli_epi16(_mm256_andnot_si256(low5, raw[2 * n]), 5),
                                            _mm256_srli_epi16(_mm256_and_si256(raw[2 * n + 1], top2), 3));
    }

    // visit(k, quants of run k's slot l), the unsigned quants maddubs takes first.
    template <class Visit>
    HEARTH_AVX2 static void for_runs(const SuperBlock& p, int half, int l, const Visit& visit) {
        for (int j = 0; j < kRuns / 2; ++j) {
            if constexpr (kFiveBits) {
                __m256i quants[8];
                group(p, half, j, l / 4, quants);
                for (int n = 0; n < 2; ++n) visit(2 * j + n, quants[4 * n + l % 4]);
            } else {
                __m256i runs[2];
                run_pair(p, half, j, l, runs);
                for (int n = 0; n < 2; ++n) visit(2 * j + n, runs[n]);
            }
        }
    }

    // get_scale_min_k4 for 8 rows at once: run k's scale in both int16 of a pair, the mins of runs
    // 2t and 2t + 1 as pair t.
    HEARTH_AVX2 static void scales(const SuperBlock& p, int half, __m256i* pairs, __m256i* min_pairs) {
        const int r0 = kHalfRows * half;
        const __m256i w0 = load(&p.scale_words[0][r0]), w1 = load(&p.scale_words[1][r0]), w2 = load(&p.scale_words[2][r0]);
        const __m256i low6 = bytes(0x3F), low4 = bytes(0x0F), top2 = bytes(0x30);
        const __m256i scales_lo = _mm256_and_si256(w0, low6);  // runs 0-3
        const __m256i mins_lo = _mm256_and_si256(w1, low6);
        const __m256i scales_hi = _mm256_or_si256(_mm256_and_si256(w2, low4), _mm256_and_si256(_mm256_srli_epi32(w0, 2), top2));
        const __m256i mins_hi = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi32(w2, 4), low4),
                                                _mm256_and_si256(_mm256_srli_epi32(w1, 2), top2));
        for (int k = 0; k < 4; ++k) {
            pairs[k] = pick_pair(scales_lo, k, k);
            pairs[4 + k] = pick_pair(scales_hi, k, k);
        }
        for (int t = 0; t < 2; ++t) {
            min_pairs[t] = pick_pair(mins_lo, 2 * t, 2 * t + 1);
            min_pairs[2 + t] = pick_pair(mins_hi, 2 * t, 2 * t + 1);
        }
    }

    HEARTH_AVX2 static __m256 dmin(const SuperBlock& p, int half) { return halves8(p.dmin + kHalfRows * half); }
};

// Q6_K over the layout, rows 8 * half .. 8 * half + 7.
struct Q6Half : Q6Layout {
    using Gemm = Q6;

    // Group (t, u)'s unsigned quants (0..63) for rows 8 * half .. 8 * half + 7: run 2t at slots 2u and
    // 2u + 1, then run 2t + 1 at slots 2u and 2u + 1.
    HEARTH_AVX2 static void group(const SuperBlock& p, int half, int t, int u, __m256i* quants) {
        const int r0 = kHalfRows * half;
        const __m256i low6 = bytes(0x3F);
        __m256i fourth = _mm256_setzero_si256();
        for (int n = 0; n < 3; ++n) {
            const __m256i raw = load(p.groups[t][u][n][r0]);
            quants[n] = _mm256_and_si256(raw, low6);
            // Its top two bits to bits 2n, 2n + 1 (masked first, so no bit crosses into the next byte).
            fourth = _mm256_or_si256(fourth, _mm256_srli_epi16(_mm256_andnot_si256(low6, raw), 6 - 2 * n));
        }
        quants[3] = fourth;
    }

    // visit(k, quants - 32 of run k's slot l), signed as the GEMM's Q6 takes them.
    template <class Visit>
    HEARTH_AVX2 static void for_runs(const SuperBlock& p, int half, int l, const Visit& visit) {
        for (int t = 0; t < kGroups; ++t) {
            __m256i quants[4];
            group(p, half, t, l / 2, quants);
            for (int n = 0; n < 2; ++n) visit(2 * t + n, _mm256_sub_epi8(quants[2 * n + l % 2], bytes(32)));
        }
    }

    // Run k's pair (scale 2k, scale 2k + 1) sign-extended into the two int16 of each dword.
    HEARTH_AVX2 static void scales(const SuperBlock& p, int half, __m256i* pairs, __m256i*) {
        for (int v = 0; v < kRuns / 2; ++v) {
            const __m256i raw = load(p.scales[v][kHalfRows * half]);
            pairs[2 * v] = _mm256_srai_epi16(_mm256_slli_epi16(raw, 8), 8);
            pairs[2 * v + 1] = _mm256_srai_epi16(raw, 8);
        }
    }

    HEARTH_AVX2 static __m256 dmin(const SuperBlock&, int) { return _mm256_setzero_ps(); }
};

}  // namespace
}  // namespace hearth::cpu
