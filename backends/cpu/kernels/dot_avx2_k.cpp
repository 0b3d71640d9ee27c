// AVX2 dots of the K types with Q8_K activations, bit-identical to core/quant/quant_k.cpp. The
// reference keeps 8 int32 lanes (lane l sums the elements whose index is l mod 8, each product times
// its sub-block scale) and 8 float lanes; one YMM register holds each, so every lane sees the same
// integer total and the same float operations in the same order. Target attribute: see dot_avx2.cpp.
#include <immintrin.h>

#include "backends/cpu/kernels/dot_kernels.h"
#include "core/quant/blocks.h"

#define HEARTH_AVX2 __attribute__((target("avx2,fma,f16c")))

namespace hearth::cpu {
namespace {

constexpr int kLanes = 8;

// Per-lane sums of 16 products w * y (int8 each; |w| <= 32 so every product fits int16).
HEARTH_AVX2 inline __m256i lane_sums16(__m128i w, const int8_t* y) {
    const __m256i y16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(y)));
    const __m256i p = _mm256_mullo_epi16(_mm256_cvtepi8_epi16(w), y16);
    return _mm256_add_epi32(_mm256_cvtepi16_epi32(_mm256_castsi256_si128(p)),
                            _mm256_cvtepi16_epi32(_mm256_extracti128_si256(p, 1)));
}

// Lane sums of one 32-element sub-block with quants q (32 bytes) times its scale.
HEARTH_AVX2 inline __m256i scaled_lane_sums32(__m256i q, const int8_t* y, int scale) {
    const __m256i s = _mm256_add_epi32(lane_sums16(_mm256_castsi256_si128(q), y),
                                       lane_sums16(_mm256_extracti128_si256(q, 1), y + 16));
    return _mm256_mullo_epi32(s, _mm256_set1_epi32(scale));
}

// float_lanes += (d * y.d) * float(int_lanes), lane by lane as the reference.
HEARTH_AVX2 inline __m256 add_block_lanes(__m256 float_lanes, float scale, __m256i int_lanes) {
    return _mm256_add_ps(float_lanes, _mm256_mul_ps(_mm256_set1_ps(scale), _mm256_cvtepi32_ps(int_lanes)));
}

// total + lane 0 + lane 1 + ... + lane 7, sequentially.
HEARTH_AVX2 inline float sum_lanes(float total, __m256 float_lanes) {
    alignas(32) float lanes[kLanes];
    _mm256_store_ps(lanes, float_lanes);
    for (float lane : lanes) total += lane;
    return total;
}

// The 64 quants of chunk c of a Q4_K / Q5_K block: 32 low nibbles, then 32 high nibbles.
struct Chunk {
    __m256i low;
    __m256i high;
};

HEARTH_AVX2 inline Chunk q4k_chunk(const uint8_t* qs) {
    const __m256i raw = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qs));
    const __m256i mask = _mm256_set1_epi8(0x0F);
    return {_mm256_and_si256(raw, mask), _mm256_and_si256(_mm256_srli_epi16(raw, 4), mask)};
}

// Adds 16 to the quants whose high bit (bit 2c / 2c + 1 of qh[l]) is set.
HEARTH_AVX2 inline Chunk add_q5k_high_bits(Chunk chunk, __m256i qh, int c) {
    const __m256i one = _mm256_set1_epi8(1);
    const __m256i low_bits = _mm256_and_si256(_mm256_srl_epi16(qh, _mm_cvtsi32_si128(2 * c)), one);
    const __m256i high_bits = _mm256_and_si256(_mm256_srl_epi16(qh, _mm_cvtsi32_si128(2 * c + 1)), one);
    return {_mm256_or_si256(chunk.low, _mm256_slli_epi16(low_bits, 4)),
            _mm256_or_si256(chunk.high, _mm256_slli_epi16(high_bits, 4))};
}

// sum over the 16 runs of bsums times their sub-block min; integer, so any order.
int q45k_min_sum(const ScaleMin* sm, const BlockQ8_K& y) {
    int min_sum = 0;
    for (int j = 0; j < kQK_K / 16; ++j) min_sum += y.bsums[j] * sm[j / 2].min;
    return min_sum;
}

enum class HighBits { none, q5k };

template <typename Block, HighBits kHigh>
HEARTH_AVX2 float dot_q45k(const void* weight_row, const void* act_row, int64_t nblocks) {
    const auto* x = static_cast<const Block*>(weight_row);
    const auto* y = static_cast<const BlockQ8_K*>(act_row);
    __m256 float_lanes = _mm256_setzero_ps();
    float total = 0.0f;
    for (int64_t i = 0; i < nblocks; ++i) {
        ScaleMin sm[kQK_K / 32];
        for (int j = 0; j < kQK_K / 32; ++j) sm[j] = unpack_scale_min_k4(j, x[i].scales);
        __m256i int_lanes = _mm256_setzero_si256();
        for (int c = 0; c < kQK_K / 64; ++c) {
            Chunk chunk = q4k_chunk(x[i].qs + 32 * c);
            if constexpr (kHigh == HighBits::q5k)
                chunk = add_q5k_high_bits(chunk, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[i].qh)), c);
            const int8_t* yq = y[i].qs + 64 * c;
            int_lanes = _mm256_add_epi32(int_lanes, scaled_lane_sums32(chunk.low, yq, sm[2 * c].scale));
            int_lanes = _mm256_add_epi32(int_lanes, scaled_lane_sums32(chunk.high, yq + 32, sm[2 * c + 1].scale));
        }
        float_lanes = add_block_lanes(float_lanes, _cvtsh_ss(x[i].d) * y[i].d, int_lanes);
        total -= _cvtsh_ss(x[i].dmin) * y[i].d * static_cast<float>(q45k_min_sum(sm, y[i]));
    }
    return sum_lanes(total, float_lanes);
}

// Signed quants (q - 32) of Q6_K elements 128h + 32k .. +31, k = 0..3 (see BlockQ6_K).
HEARTH_AVX2 inline __m256i q6k_quants(const uint8_t* ql, __m256i qh, int k) {
    const __m256i low4 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql + 32 * (k % 2)));
    const __m256i nibble_mask = _mm256_set1_epi8(0x0F);
    const __m256i nibbles = k < 2 ? _mm256_and_si256(low4, nibble_mask)
                                  : _mm256_and_si256(_mm256_srli_epi16(low4, 4), nibble_mask);
    const __m256i top = _mm256_and_si256(_mm256_srl_epi16(qh, _mm_cvtsi32_si128(2 * k)), _mm256_set1_epi8(3));
    const __m256i q = _mm256_or_si256(nibbles, _mm256_slli_epi16(top, 4));
    return _mm256_sub_epi8(q, _mm256_set1_epi8(32));
}

HEARTH_AVX2 float dot_q6_k(const void* weight_row, const void* act_row, int64_t nblocks) {
    const auto* x = static_cast<const BlockQ6_K*>(weight_row);
    const auto* y = static_cast<const BlockQ8_K*>(act_row);
    __m256 float_lanes = _mm256_setzero_ps();
    for (int64_t i = 0; i < nblocks; ++i) {
        __m256i int_lanes = _mm256_setzero_si256();
        for (int h = 0; h < kQK_K / 128; ++h) {
            const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[i].qh + 32 * h));
            for (int k = 0; k < 4; ++k) {
                const __m256i q = q6k_quants(x[i].ql + 64 * h, qh, k);
                const int first = 128 * h + 32 * k;  // element index; sub-blocks of 16
                const int8_t* yq = y[i].qs + first;
                const __m256i lo = lane_sums16(_mm256_castsi256_si128(q), yq);
                const __m256i hi = lane_sums16(_mm256_extracti128_si256(q, 1), yq + 16);
                int_lanes = _mm256_add_epi32(int_lanes, _mm256_mullo_epi32(lo, _mm256_set1_epi32(x[i].scales[first / 16])));
                int_lanes = _mm256_add_epi32(int_lanes, _mm256_mullo_epi32(hi, _mm256_set1_epi32(x[i].scales[first / 16 + 1])));
            }
        }
        float_lanes = add_block_lanes(float_lanes, _cvtsh_ss(x[i].d) * y[i].d, int_lanes);
    }
    return sum_lanes(0.0f, float_lanes);
}

}  // namespace

void add_avx2_k_kernels(DotKernels& kernels) {
    kernels.q4_k = dot_q45k<BlockQ4_K, HighBits::none>;
    kernels.q5_k = dot_q45k<BlockQ5_K, HighBits::q5k>;
    kernels.q6_k = dot_q6_k;
}

}  // namespace hearth::cpu
