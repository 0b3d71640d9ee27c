// The AVX2 matmul over the K types' load-time panels in the blockwise arithmetic (ref::dot_blockwise):
// each super-block's scaled products summed as one exact int32, then one float step. Integer sums
// do not depend on their order, so the slots of a sub-block are first added as int16 (maddubs's
// products, as many as cannot overflow) and only then multiplied by the sub-block scale: per 32
// quants one maddubs per slot and one madd per 8 (Q4_K), 4 (Q5_K) or 2 (Q6_K) slots, where ggml's
// lane order costs a madd per slot. Q6_K's quants are taken unsigned (0..63) against the signed
// activation quants, and 32 * (scale . sub-block sum of the activation quants) comes off the sum.
// Both halves of the 16-row panel run together, its bytes read in order. Every activation row runs
// straight from the layout (a batch re-reads the panel from cache per row), so every output equals
// vec_dot_blockwise bit for bit at any batch size.
#include <type_traits>

#include "backends/cpu/kernels/panel_avx2_k_slots.h"

namespace hearth::cpu {
namespace {

// An empty asm on a running sum: GCC otherwise hoists a whole group's maddubs (or a super-block's
// madds, to add them as a tree) ahead of their adds and spills them, 50-120 stores per super-block;
// in order, products are added as they come.
HEARTH_AVX2 inline void keep_in_order(__m256i& sum) { asm("" : "+x"(sum)); }

// Q4_K / Q5_K: the super-block's scaled integer sums (sums[h], rows 8h..8h+7) and min sums.
template <class T>
HEARTH_AVX2 void q45_sums(const typename T::SuperBlock& p, const GemmKActBlock& a, __m256i* sums, __m256i* min_sums) {
    __m256i pairs[kHalves][kRuns], min_pairs[kHalves][kRuns / 2];
    for (int h = 0; h < kHalves; ++h) T::scales(p, h, pairs[h], min_pairs[h]);
    const auto* quads = reinterpret_cast<const int32_t*>(a.quants);
    sums[0] = sums[1] = _mm256_setzero_si256();
    if constexpr (std::is_same_v<typename T::Block, BlockQ5_K>) {
        // Per group, each run's 4 slots: maddubs pairs reach 2 * 31 * 128, four of them fit an int16.
        // Unrolled, so that the indices below pick registers.
#pragma GCC unroll 8
        for (int g = 0; g < kRuns / 2 * T::kSlotGroups; ++g) {  // group (j, v): the bytes in order
            const int j = g / T::kSlotGroups, v = g % T::kSlotGroups;
            for (int h = 0; h < kHalves; ++h) {
                __m256i q[8];
                T::group(p, h, j, v, q);
                for (int n = 0; n < 2; ++n) {
                    __m256i run_sum = _mm256_setzero_si256();
                    for (int i = 0; i < 4; ++i)
                        run_sum = _mm256_add_epi16(run_sum, _mm256_maddubs_epi16(q[4 * n + i], _mm256_set1_epi32(quads[(2 * j + n) * kSlots + 4 * v + i])));
                    sums[h] = _mm256_add_epi32(sums[h], _mm256_madd_epi16(run_sum, pairs[h][2 * j + n]));
                    keep_in_order(sums[h]);
                }
            }
        }
    } else {
        // maddubs pairs reach 2 * 15 * 128: 8 of them fit an int16.
        __m256i run_sums[kHalves][2] = {};
#pragma GCC unroll 32
        for (int step = 0; step < kRuns / 2 * kSlots; ++step) {  // run pair j, slot l: the bytes in order
            const int j = step / kSlots, l = step % kSlots;
            const __m256i act[2] = {_mm256_set1_epi32(quads[2 * j * kSlots + l]), _mm256_set1_epi32(quads[(2 * j + 1) * kSlots + l])};
            for (int h = 0; h < kHalves; ++h) {
                __m256i runs[2];
                T::run_pair(p, h, j, l, runs);
                for (int n = 0; n < 2; ++n) {
                    run_sums[h][n] = _mm256_add_epi16(run_sums[h][n], _mm256_maddubs_epi16(runs[n], act[n]));
                    keep_in_order(run_sums[h][n]);
                }
            }
            if (l == kSlots - 1) {
                for (int h = 0; h < kHalves; ++h)
                    for (int n = 0; n < 2; ++n) {
                        sums[h] = _mm256_add_epi32(sums[h], _mm256_madd_epi16(run_sums[h][n], pairs[h][2 * j + n]));
                        run_sums[h][n] = _mm256_setzero_si256();
                    }
            }
        }
    }
    const auto* bsums = reinterpret_cast<const int32_t*>(a.bsum_pairs);
    for (int h = 0; h < kHalves; ++h) {
        min_sums[h] = _mm256_setzero_si256();
        for (int t = 0; t < kRuns / 2; ++t)
            min_sums[h] = _mm256_add_epi32(min_sums[h], _mm256_madd_epi16(min_pairs[h][t], _mm256_set1_epi32(bsums[t])));
    }
}

// Q6_K: the super-block's scaled integer sums of (q - 32) times the activation quants (signed, in
// lane order).
HEARTH_AVX2 void q6_sums(const Q6Half::SuperBlock& p, const int32_t* quads, const int16_t* bsums, __m256i* sums) {
    __m256i pairs[kHalves][kRuns];
    for (int h = 0; h < kHalves; ++h) Q6Half::scales(p, h, pairs[h], nullptr);
    sums[0] = sums[1] = _mm256_setzero_si256();
    // Unrolled, so that the indices below pick registers.
#pragma GCC unroll 16
    for (int g = 0; g < Q6Half::kGroups * Q6Half::kGroups; ++g) {  // group (t, u): the bytes in order
        const int t = g / Q6Half::kGroups, u = g % Q6Half::kGroups;
        __m256i act[4];
        for (int n = 0; n < 4; ++n) act[n] = _mm256_set1_epi32(quads[(2 * t + n / 2) * kSlots + 2 * u + n % 2]);
        for (int h = 0; h < kHalves; ++h) {
            __m256i q[4];
            Q6Half::group(p, h, t, u, q);
            // A run's two slots: maddubs pairs reach 2 * 63 * 128, two of them fit an int16.
            for (int n = 0; n < 2; ++n) {
                const __m256i run_sum = _mm256_add_epi16(_mm256_maddubs_epi16(q[2 * n], act[2 * n]), _mm256_maddubs_epi16(q[2 * n + 1], act[2 * n + 1]));
                sums[h] = _mm256_add_epi32(sums[h], _mm256_madd_epi16(run_sum, pairs[h][2 * t + n]));
                keep_in_order(sums[h]);
            }
        }
    }
    // Run k's scale pair meets its two sub-blocks' activation sums (bsums 2k, 2k + 1): the offset 32.
    const auto* bsum_pairs = reinterpret_cast<const int32_t*>(bsums);
    for (int h = 0; h < kHalves; ++h) {
        __m256i offset = _mm256_setzero_si256();
        for (int k = 0; k < kRuns; ++k) offset = _mm256_add_epi32(offset, _mm256_madd_epi16(pairs[h][k], _mm256_set1_epi32(bsum_pairs[k])));
        sums[h] = _mm256_sub_epi32(sums[h], _mm256_slli_epi32(offset, 5));
    }
}

// One panel against one activation row (its super-blocks' descriptions a): out[r] for the panel's 16
// rows, in ref::dot_blockwise's steps. With `prefetch`, the steps of the call's next panel requests
// are [first_step, first_step + nblocks) of `steps`.
template <class T>
HEARTH_AVX2 void panel_column(const GemmArgs& args, const typename T::SuperBlock* panel, const GemmKActBlock* a,
                              bool prefetch, int64_t first_step, int64_t steps, float* out) {
    constexpr bool kQ6 = T::Gemm::kSignedWeights;
    __m256 totals[kHalves] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
    for (int64_t i = 0; i < args.nblocks; ++i) {
        if (prefetch) prefetch_next_panel(args, first_step + i, steps);
        const typename T::SuperBlock& p = panel[i];
        __m256i sums[kHalves], min_sums[kHalves];
        if constexpr (kQ6) q6_sums(p, reinterpret_cast<const int32_t*>(a[i].quants), a[i].bsums, sums);
        else q45_sums<T>(p, a[i], sums, min_sums);
        const __m256 yd = _mm256_set1_ps(a[i].d);
        for (int h = 0; h < kHalves; ++h) {
            const __m256 d = halves8(p.d + kHalfRows * h);
            totals[h] = _mm256_add_ps(totals[h], _mm256_mul_ps(_mm256_mul_ps(d, yd), _mm256_cvtepi32_ps(sums[h])));
            if constexpr (!kQ6)
                totals[h] = _mm256_sub_ps(totals[h], _mm256_mul_ps(_mm256_mul_ps(T::dmin(p, h), yd), _mm256_cvtepi32_ps(min_sums[h])));
        }
    }
    for (int h = 0; h < kHalves; ++h) _mm256_storeu_ps(out + kHalfRows * h, totals[h]);
}

// The call's panels (kBlockwisePanels, or the weight's last one) against every activation row, each
// described in lane order (blockwise_batch_form too); batches need no scratch.
template <class T>
HEARTH_AVX2 void gemm(const GemmArgs& args) {
    const auto* panels = reinterpret_cast<const typename T::SuperBlock*>(args.weights);
    const int count = args.weight_rows / kGemmPanelRows;
    for (int64_t c = 0; c < args.act_rows; ++c) {
        const GemmKActBlock* a = static_cast<const GemmKActBlock*>(args.act_blocks) + c * args.nblocks;
        for (int r = 0; r < count; ++r)
            panel_column<T>(args, panels + r * args.nblocks, a, c == 0, r * args.nblocks, count * args.nblocks,
                            args.out + c * args.out_stride + r * kGemmPanelRows);
    }
}

}  // namespace

void add_avx2_k_blockwise_kernels(PerWeightType<PanelKernel>& kernels) {
    kernels.q4_k.blockwise = gemm<Q45Half<false>>;
    kernels.q5_k.blockwise = gemm<Q45Half<true>>;
    kernels.q6_k.blockwise = gemm<Q6Half>;
}

}  // namespace hearth::cpu
