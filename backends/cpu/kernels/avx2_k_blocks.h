#pragma once
// AVX2 helpers shared by the K-type kernels (dot_avx2_k.cpp, tile_avx2_k.cpp). The reference
// (core/quant/quant_k.cpp) keeps 8 int32 lanes per block: lane l sums, for the elements e with
// e mod 8 == l, the product of quants times the sub-block scale; then 8 float lanes. Products are
// formed here with maddubs (adjacent bytes) and madd (adjacent int16, times the scale), so both
// operands are first put in "lane order": in each run of 32 quants, int32 slot l holds the 4 elements
// of lane l (l, l+8, l+16, l+24). Every slot then sums exactly the reference lane's integers, and the
// float steps follow the reference lane by lane. Include only from files whose callers carry
// HEARTH_AVX2 (see avx2_blocks.h).
#include <cstring>
#include <type_traits>

#include "backends/cpu/kernels/avx2_blocks.h"
#include "core/quant/blocks.h"

namespace hearth::cpu {
namespace {

constexpr int kRuns = kQK_K / 32;  // runs of 32 quants per super-block
constexpr int kFloatLanes = 8;

// 32 bytes in lane order: dwords 0,2,4,6 (elements 0-3, 8-11, 16-19, 24-27) to the low half and
// 1,3,5,7 to the high half, then within each half byte 4m + t takes element 8t + m of that half's lanes.
HEARTH_AVX2 inline __m256i load_lane_order(const void* p) {
    const __m256i raw = _mm256_loadu_si256(static_cast<const __m256i*>(p));
    const __m256i halves = _mm256_permutevar8x32_epi32(raw, _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7));
    const __m256i bytes = _mm256_setr_epi8(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15,
                                           0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    return _mm256_shuffle_epi8(halves, bytes);
}

HEARTH_AVX2 inline __m256i low_nibbles(__m256i v) { return _mm256_and_si256(v, _mm256_set1_epi8(0x0F)); }
HEARTH_AVX2 inline __m256i high_nibbles(__m256i v) { return low_nibbles(_mm256_srli_epi16(v, 4)); }

// A Q8_K block in lane order, for Q4_K / Q5_K weights: the quants and the raw bsums.
struct Q45Act {
    __m256i q[kRuns];
    __m256i bsums;
    float d;
};

HEARTH_AVX2 inline Q45Act prepare_q45_act(const BlockQ8_K& b) {
    Q45Act a;
    for (int k = 0; k < kRuns; ++k) a.q[k] = load_lane_order(b.qs + 32 * k);
    a.bsums = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.bsums));
    a.d = b.d;
    return a;
}

// A Q8_K block in lane order, for Q6_K weights: the quants and 32 * (sum of each int16 pair), to take
// the weight offset 32 out of maddubs(q, y) once per activation block.
struct Q6Act {
    __m256i q[kRuns];
    __m256i offset[kRuns];
    float d;
};

HEARTH_AVX2 inline Q6Act prepare_q6_act(const BlockQ8_K& b) {
    Q6Act a;
    for (int k = 0; k < kRuns; ++k) {
        a.q[k] = load_lane_order(b.qs + 32 * k);
        a.offset[k] = _mm256_maddubs_epi16(_mm256_set1_epi8(32), a.q[k]);
    }
    a.d = b.d;
    return a;
}

// Adds run k (weight quants q in lane order, scale in every int16 of each pair's slot) of one weight
// block to the int lanes of C activation blocks. maddubs cannot saturate: Q4_K / Q5_K pairs are at
// most 2 * 31 * 128, Q6_K pairs 2 * 63 * 128 and their difference with the offset 2 * 32 * 128.
template <int C>
HEARTH_AVX2 inline void add_run(__m256i* lanes, __m256i q, __m256i scale, const Q45Act* a, int k) {
    for (int c = 0; c < C; ++c)
        lanes[c] = _mm256_add_epi32(lanes[c], _mm256_madd_epi16(_mm256_maddubs_epi16(q, a[c].q[k]), scale));
}

template <int C>
HEARTH_AVX2 inline void add_run(__m256i* lanes, __m256i q, __m256i scale, const Q6Act* a, int k) {
    for (int c = 0; c < C; ++c) {
        const __m256i pairs = _mm256_sub_epi16(_mm256_maddubs_epi16(q, a[c].q[k]), a[c].offset[k]);
        lanes[c] = _mm256_add_epi32(lanes[c], _mm256_madd_epi16(pairs, scale));
    }
}

// The 8 scales and 8 mins of unpack_scale_min_k4, unpacked 4 at a time in 32-bit words: the scales
// as int16 in both halves (run_scale broadcasts one), the mins twice each (one per bsum of 16).
struct Q45Scales {
    __m256i scales;
    __m256i mins;
};

HEARTH_AVX2 inline Q45Scales unpack_scales_mins(const uint8_t* packed) {
    uint32_t word[3];
    std::memcpy(word, packed, sizeof(word));
    constexpr uint32_t kLow6 = 0x3F3F3F3F, kLow4 = 0x0F0F0F0F, kTop2 = 0x30303030;
    const uint32_t scales_lo = word[0] & kLow6;
    const uint32_t mins_lo = word[1] & kLow6;
    const uint32_t scales_hi = (word[2] & kLow4) | ((word[0] >> 2) & kTop2);
    const uint32_t mins_hi = ((word[2] >> 4) & kLow4) | ((word[1] >> 2) & kTop2);
    const __m128i scales8 = _mm_setr_epi32(static_cast<int>(scales_lo), static_cast<int>(scales_hi), 0, 0);
    const __m128i mins8 = _mm_setr_epi32(static_cast<int>(mins_lo), static_cast<int>(mins_hi), 0, 0);
    return {_mm256_broadcastsi128_si256(_mm_cvtepu8_epi16(scales8)), _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(mins8, mins8))};
}

HEARTH_AVX2 inline __m256i run_scale(const Q45Scales& s, int k) {
    return _mm256_shuffle_epi8(s.scales, _mm256_set1_epi16(static_cast<int16_t>((2 * k + 1) << 8 | 2 * k)));
}

// The float state of one output: the reference's 8 float lanes and its running total (min terms).
struct KAccum {
    __m256 lanes;
    float total;
};

HEARTH_AVX2 inline KAccum zero_accum() { return {_mm256_setzero_ps(), 0.0f}; }

// lanes += (d * y.d) * float(int lanes), lane by lane as the reference.
HEARTH_AVX2 inline void add_block(KAccum& acc, float scale, __m256i int_lanes) {
    acc.lanes = _mm256_add_ps(acc.lanes, _mm256_mul_ps(_mm256_set1_ps(scale), _mm256_cvtepi32_ps(int_lanes)));
}

// total + lane 0 + lane 1 + ... + lane 7, sequentially.
HEARTH_AVX2 inline float finish(const KAccum& acc) {
    alignas(32) float lanes[kFloatLanes];
    _mm256_store_ps(lanes, acc.lanes);
    float total = acc.total;
    for (float lane : lanes) total += lane;
    return total;
}

// The 8 runs of a Q4_K / Q5_K block's quants (0..31) in lane order. Runs 2c and 2c + 1 take the
// low and high nibbles of qs[32c..32c+31]; for Q5_K, bit k of qh[i] is bit 4 of element i of run k.
template <typename Block>
HEARTH_AVX2 inline void unpack_q45k_runs(const Block& b, __m256i* runs) {
    constexpr bool kFiveBits = std::is_same_v<Block, BlockQ5_K>;
    __m256i qh = _mm256_setzero_si256();
    if constexpr (kFiveBits) qh = load_lane_order(b.qh);
    for (int chunk = 0; chunk < kRuns / 2; ++chunk) {
        const __m256i raw = load_lane_order(b.qs + 32 * chunk);
        const __m256i nibbles[2] = {low_nibbles(raw), high_nibbles(raw)};
        for (int j = 0; j < 2; ++j) {
            const int k = 2 * chunk + j;
            runs[k] = nibbles[j];
            if constexpr (kFiveBits) {
                const __m256i bit4 = _mm256_slli_epi16(_mm256_srli_epi16(qh, k), 4);
                runs[k] = _mm256_or_si256(runs[k], _mm256_and_si256(bit4, _mm256_set1_epi8(0x10)));
            }
        }
    }
}

// The 8 runs of a Q6_K block's unsigned quants (0..63; the value is q - 32) in lane order; runs
// 4h .. 4h + 3 come from ql[64h..64h+63] and qh[32h..32h+31] (see BlockQ6_K).
HEARTH_AVX2 inline void unpack_q6k_runs(const BlockQ6_K& b, __m256i* runs) {
    const __m256i top2 = _mm256_set1_epi8(0x30);
    for (int h = 0; h < kRuns / 4; ++h) {
        const __m256i low0 = load_lane_order(b.ql + 64 * h);
        const __m256i low1 = load_lane_order(b.ql + 64 * h + 32);
        const __m256i high = load_lane_order(b.qh + 32 * h);
        runs[4 * h] = _mm256_or_si256(low_nibbles(low0), _mm256_and_si256(_mm256_slli_epi16(high, 4), top2));
        runs[4 * h + 1] = _mm256_or_si256(low_nibbles(low1), _mm256_and_si256(_mm256_slli_epi16(high, 2), top2));
        runs[4 * h + 2] = _mm256_or_si256(high_nibbles(low0), _mm256_and_si256(high, top2));
        runs[4 * h + 3] = _mm256_or_si256(high_nibbles(low1), _mm256_and_si256(_mm256_srli_epi16(high, 2), top2));
    }
}

// Adds one Q4_K / Q5_K weight block's dots with C activation blocks to acc[0..C).
template <typename Block, int C>
HEARTH_AVX2 inline void add_q45k_block(const Block& b, const Q45Act* a, KAccum* acc) {
    const Q45Scales s = unpack_scales_mins(b.scales);
    __m256i runs[kRuns];
    unpack_q45k_runs(b, runs);
    __m256i lanes[C];
    for (int c = 0; c < C; ++c) lanes[c] = _mm256_setzero_si256();
    for (int k = 0; k < kRuns; ++k) add_run<C>(lanes, runs[k], run_scale(s, k), a, k);
    __m256i min_products[C];
    for (int c = 0; c < C; ++c) min_products[c] = _mm256_madd_epi16(a[c].bsums, s.mins);
    int min_sums[C];  // the reference's sum of bsums[j] * min[j / 2]; exact in int32
    lane_totals<C>(min_products, min_sums);
    const float d = half_to_float(b.d);
    const float dmin = half_to_float(b.dmin);
    for (int c = 0; c < C; ++c) {
        add_block(acc[c], d * a[c].d, lanes[c]);
        acc[c].total -= dmin * a[c].d * static_cast<float>(min_sums[c]);
    }
}

// Adds one Q6_K weight block's dots with C activation blocks to acc[0..C). Quants stay unsigned
// (see Q6Act); each slot's int16 pairs take the scales of the run's two sub-blocks of 16 (elements
// l, l+8, then l+16, l+24).
template <int C>
HEARTH_AVX2 inline void add_q6k_block(const BlockQ6_K& b, const Q6Act* a, KAccum* acc) {
    const __m256i scales16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b.scales)));
    __m256i runs[kRuns];
    unpack_q6k_runs(b, runs);
    __m256i lanes[C];
    for (int c = 0; c < C; ++c) lanes[c] = _mm256_setzero_si256();
    for (int k = 0; k < kRuns; ++k)
        add_run<C>(lanes, runs[k], _mm256_permutevar8x32_epi32(scales16, _mm256_set1_epi32(k)), a, k);
    const float d = half_to_float(b.d);
    for (int c = 0; c < C; ++c) add_block(acc[c], d * a[c].d, lanes[c]);
}

// The K weight types: block layout, activation preparation and the block step above.
template <typename BlockType>
struct Q45K {
    using Block = BlockType;
    using Act = Q45Act;
    HEARTH_AVX2 static Act prepare(const BlockQ8_K& b) { return prepare_q45_act(b); }
    template <int C>
    HEARTH_AVX2 static void add(const Block& b, const Act* a, KAccum* acc) { add_q45k_block<Block, C>(b, a, acc); }
};
using Q4K = Q45K<BlockQ4_K>;
using Q5K = Q45K<BlockQ5_K>;

struct Q6K {
    using Block = BlockQ6_K;
    using Act = Q6Act;
    HEARTH_AVX2 static Act prepare(const BlockQ8_K& b) { return prepare_q6_act(b); }
    template <int C>
    HEARTH_AVX2 static void add(const Block& b, const Act* a, KAccum* acc) { add_q6k_block<C>(b, a, acc); }
};

}  // namespace
}  // namespace hearth::cpu
