#pragma once
// The K types (Q4_K, Q5_K, Q6_K) as the GEMM kernels (gemm_avx2_k.cpp, gemm_avx512_k.cpp) repack
// them: per row and super-block, 8 runs of 32 quants in the reference's lane order (int32 slot l of a
// run holds the 4 quants of lane l, see avx2_k_blocks.h), each run's pair of int16 scales, and the
// mins. Include only from files whose every caller carries HEARTH_AVX2 or a superset of it.
#include <algorithm>
#include <cstdint>

#include "backends/cpu/kernels/avx2_k_blocks.h"

namespace hearth::cpu {
namespace {

constexpr int kSlots = 8;  // lane slots per run

// vpshufb control that zero-extends bytes (b, b1) of every dword of a 128-bit lane into its two
// int16: the panel kernels' scale unpacking (panel_avx2_k.cpp, panel_avx512_k_slots.h).
inline __m128i pick_pair_control(int b, int b1) {
    const auto at = [&](int dword, int byte) { return static_cast<char>(4 * dword + byte); };
    const char zero = static_cast<char>(0x80);
    return _mm_setr_epi8(at(0, b), zero, at(0, b1), zero, at(1, b), zero, at(1, b1), zero, at(2, b), zero, at(2, b1), zero,
                         at(3, b), zero, at(3, b1), zero);
}

// Super-blocks per pass over a group of activation rows: their expanded panel (5.5 KB each) stays in
// L1 while the group's rows run over it. Running each row over a whole panel instead streams it from
// L2 once per row (176 KB for a row of 8192), which left the kernel waiting on L2: llama-1b Q4_K_M
// pp512 202 -> 253 t/s on 2 threads.
constexpr int64_t kChunkSuperBlocks = 4;
constexpr int64_t kColumnGroup = 8;

// What each K type adds: its runs of quants (as maddubs's operand), its scale pairs and mins.
// Q4_K / Q5_K quants are unsigned and meet the signed activation quants; Q6_K quants are made signed
// (q - 32) and meet the activation quants plus 128, whose extra 128 * sum(scale * q) per lane is the
// row's correction.
template <typename BlockType>
struct Q45 {
    using Block = BlockType;
    static constexpr bool kSignedWeights = false;
    HEARTH_AVX2 static void runs(const Block& b, __m256i* out) { unpack_q45k_runs(b, out); }
    static void scale_pairs(const Block& b, uint32_t* pairs, uint32_t* min_pairs) {
        ScaleMin sm[kRuns];
        for (int k = 0; k < kRuns; ++k) sm[k] = unpack_scale_min_k4(k, b.scales);
        for (int k = 0; k < kRuns; ++k) pairs[k] = sm[k].scale * 0x10001u;
        for (int t = 0; t < kRuns / 2; ++t) min_pairs[t] = sm[2 * t].min | sm[2 * t + 1].min << 16;
    }
    static uint16_t dmin(const Block& b) { return b.dmin; }
};

struct Q6 {
    using Block = BlockQ6_K;
    static constexpr bool kSignedWeights = true;
    HEARTH_AVX2 static void runs(const Block& b, __m256i* out) {
        unpack_q6k_runs(b, out);
        for (int k = 0; k < kRuns; ++k) out[k] = _mm256_sub_epi8(out[k], _mm256_set1_epi8(32));
    }
    static void scale_pairs(const Block& b, uint32_t* pairs, uint32_t* min_pairs) {
        for (int k = 0; k < kRuns; ++k)
            pairs[k] = static_cast<uint16_t>(b.scales[2 * k]) | static_cast<uint32_t>(static_cast<uint16_t>(b.scales[2 * k + 1])) << 16;
        for (int t = 0; t < kRuns / 2; ++t) min_pairs[t] = 0;
    }
    static uint16_t dmin(const Block&) { return 0; }
};

}  // namespace
}  // namespace hearth::cpu
