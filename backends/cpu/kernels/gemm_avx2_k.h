#pragma once
// The expanded K-type panel the AVX2 GEMM kernels run their activation rows over, and that run
// (gemm_avx2_k.cpp packs it from the file's rows, panel_avx2_k.cpp from the load-time layout): the
// AVX-512 scheme (gemm_avx512_k.h) on 8 rows per register, each half of the 16-row panel apart.
// Include only from files whose every caller carries HEARTH_AVX2.
#include "backends/cpu/kernels/dot_kernels.h"
#include "backends/cpu/kernels/gemm_k_types.h"
#include "backends/cpu/kernels/gemm_prefetch.h"

namespace hearth::cpu {
namespace {

constexpr int kHalves = 2;  // 8-row halves of the 16-row panel

// One super-block of a repacked panel half (register lane r = row 8 * half + r).
struct PanelHalf {
    __m256i slots[kRuns * kSlots];  // run k, slot l at 8k + l
    __m256i scales[kRuns];          // int16 pair per row: the scales of run k's two halves
    __m256i mins[kRuns / 2];        // Q4_K / Q5_K: int16 pair (min 2t, min 2t + 1) per row
    __m256i correction[kSlots];     // Q6_K: 128 * (scaled sum of lane l's quants) per row
    float d[8];
    float dmin[8];
};

struct PanelSuperBlock {
    PanelHalf half[kHalves];
};
static_assert(sizeof(PanelSuperBlock) <= kGemmKSuperBlockBytes, "gemm_panel_bytes must hold this layout");

// Q6_K's quants are signed (q - 32) against the activation quants plus 128: the per-row corrections
// 128 * sum over runs of (scale pair . quant pair sums), from the half's slots and scales.
template <class T>
HEARTH_AVX2 inline void set_corrections(PanelHalf& p) {
    for (int l = 0; l < kSlots; ++l) {
        __m256i correction = _mm256_setzero_si256();
        if constexpr (T::kSignedWeights) {
            for (int run = 0; run < kRuns; ++run) {
                const __m256i pair_sums = _mm256_maddubs_epi16(_mm256_set1_epi8(static_cast<char>(0x80)), p.slots[run * kSlots + l]);
                correction = _mm256_add_epi32(correction, _mm256_madd_epi16(pair_sums, p.scales[run]));
            }
        }
        p.correction[l] = correction;
    }
}

// The float state of 8 outputs: the reference's 8 float lanes per output (register l = lane l) and
// the running total that takes the min terms, updated per super-block in the reference's order.
struct HalfAccum {
    __m256 lanes[kSlots];
    __m256 total;

    HEARTH_AVX2 static HalfAccum zero() {
        HalfAccum acc;
        for (__m256& lane : acc.lanes) lane = _mm256_setzero_ps();
        acc.total = _mm256_setzero_ps();
        return acc;
    }
    // lanes += (d * y.d) * int lanes; for Q4_K / Q5_K, total -= (dmin * y.d) * sum(bsum pairs . min pairs).
    template <bool kMins>
    HEARTH_AVX2 void add(const __m256i* int_lanes, __m256 d, __m256 dmin, const GemmKActBlock& a, const __m256i* min_pairs) {
        const __m256 yd = _mm256_set1_ps(a.d);
        const __m256 scale = _mm256_mul_ps(d, yd);
        for (int l = 0; l < kSlots; ++l) lanes[l] = _mm256_add_ps(lanes[l], _mm256_mul_ps(scale, _mm256_cvtepi32_ps(int_lanes[l])));
        if constexpr (kMins) {
            const auto* bsums = reinterpret_cast<const int32_t*>(a.bsum_pairs);
            __m256i min_sum = _mm256_setzero_si256();
            for (int t = 0; t < kRuns / 2; ++t)
                min_sum = _mm256_add_epi32(min_sum, _mm256_madd_epi16(min_pairs[t], _mm256_set1_epi32(bsums[t])));
            total = _mm256_sub_ps(total, _mm256_mul_ps(_mm256_mul_ps(dmin, yd), _mm256_cvtepi32_ps(min_sum)));
        }
    }
    // total + lane 0 + ... + lane 7, as the reference ends.
    HEARTH_AVX2 __m256 finish() const {
        __m256 sum = total;
        for (const __m256& lane : lanes) sum = _mm256_add_ps(sum, lane);
        return sum;
    }
};

template <class T>
HEARTH_AVX2 void add_super_block(const PanelHalf& p, const GemmKActBlock& a, HalfAccum& acc) {
    const auto* quads = reinterpret_cast<const int32_t*>(a.quants);
    __m256i lanes[kSlots];
    for (int l = 0; l < kSlots; ++l) lanes[l] = _mm256_sub_epi32(_mm256_setzero_si256(), p.correction[l]);
    for (int k = 0; k < kRuns; ++k) {
        for (int l = 0; l < kSlots; ++l) {
            const __m256i act = _mm256_set1_epi32(quads[k * kSlots + l]);
            const __m256i pairs = T::kSignedWeights ? _mm256_maddubs_epi16(act, p.slots[k * kSlots + l])
                                                    : _mm256_maddubs_epi16(p.slots[k * kSlots + l], act);
            lanes[l] = _mm256_add_epi32(lanes[l], _mm256_madd_epi16(pairs, p.scales[k]));
        }
    }
    acc.add<!T::kSignedWeights>(lanes, _mm256_load_ps(p.d), _mm256_load_ps(p.dmin), a, p.mins);
}

// Every output of the panel: per group of activation rows, chunk by chunk (kChunkSuperBlocks, which
// stay in L1 while the group runs over them), each row's float state kept between chunks, so each
// output still takes its super-blocks in the reference's order.
template <class T>
HEARTH_AVX2 void panel_columns(const GemmArgs& args, const PanelSuperBlock* panel) {
    HalfAccum acc[kColumnGroup][kHalves];
    for (int64_t c0 = 0; c0 < args.act_rows; c0 += kColumnGroup) {
        const int64_t group = std::min(kColumnGroup, args.act_rows - c0);
        for (int64_t c = 0; c < group; ++c)
            for (HalfAccum& half : acc[c]) half = HalfAccum::zero();
        for (int64_t i0 = 0; i0 < args.nblocks; i0 += kChunkSuperBlocks) {
            const int64_t i1 = std::min(args.nblocks, i0 + kChunkSuperBlocks);
            for (int64_t c = 0; c < group; ++c) {
                const auto* a = static_cast<const GemmKActBlock*>(args.act_blocks) + (c0 + c) * args.nblocks;
                for (int64_t i = i0; i < i1; ++i) {
                    if (c0 + c == 0) prefetch_next_panel(args, i, args.nblocks);
                    for (int half = 0; half < kHalves; ++half) add_super_block<T>(panel[i].half[half], a[i], acc[c][half]);
                }
            }
        }
        for (int64_t c = 0; c < group; ++c) {
            alignas(32) float out[16];
            for (int half = 0; half < kHalves; ++half) _mm256_store_ps(out + 8 * half, acc[c][half].finish());
            float* dst = args.out + (c0 + c) * args.out_stride;
            for (int r = 0; r < args.weight_rows; ++r) dst[r] = out[r];
        }
    }
}

}  // namespace
}  // namespace hearth::cpu
