#pragma once
// The expanded K-type panel the AVX-512 GEMM kernels run their activation rows over, and that run
// (gemm_avx512_k.cpp packs it from the file's rows, panel_avx512_k.cpp from the load-time layout).
// Per super-block, one register holds one lane slot (4 quants) of every row of the panel, beside
// per-row scale pairs; a maddubs with the activation's 4 quants broadcast and a vpdpwssd with the
// rows' scale pair add that slot's products to lane l of all 16 outputs at once (register lanes are
// rows). The float steps then run per output lane by lane in the reference's order, so every output
// equals vec_dot bit for bit. Include only from files whose every caller carries HEARTH_AVX512.
#include <algorithm>

#include "backends/cpu/kernels/avx512_blocks.h"
#include "backends/cpu/kernels/gemm_avx512_store.h"
#include "backends/cpu/kernels/dot_kernels.h"
#include "backends/cpu/kernels/gemm_k_types.h"
#include "backends/cpu/kernels/gemm_prefetch.h"

namespace hearth::cpu {
namespace {

// One super-block of an expanded panel (register lane r = weight row r).
struct PanelSuperBlock {
    __m512i slots[kRuns * kSlots];  // run k, slot l at 8k + l: 4 quants of lane l of run k per row
    __m512i scales[kRuns];          // int16 pair per row: the scales of run k's two halves
    __m512i mins[kRuns / 2];        // Q4_K / Q5_K: int16 pair (min 2t, min 2t + 1) per row
    __m512i correction[kSlots];     // Q6_K: 128 * (scaled sum of lane l's quants) per row
    float d[16];
    float dmin[16];
};
static_assert(sizeof(PanelSuperBlock) <= kGemmKSuperBlockBytes, "gemm_panel_bytes must hold this layout");

// Q6_K's quants are signed (q - 32) against the activation quants plus 128: the per-row corrections
// 128 * sum over runs of (scale pair . quant pair sums), from the block's slots and scales.
template <class T>
HEARTH_AVX512 inline void set_corrections(PanelSuperBlock& p) {
    for (int l = 0; l < kSlots; ++l) {
        __m512i correction = _mm512_setzero_si512();
        if constexpr (T::kSignedWeights) {
            for (int k = 0; k < kRuns; ++k) {
                const __m512i pair_sums = _mm512_maddubs_epi16(_mm512_set1_epi8(static_cast<char>(0x80)), p.slots[k * kSlots + l]);
                correction = _mm512_dpwssd_epi32(correction, pair_sums, p.scales[k]);
            }
        }
        p.correction[l] = correction;
    }
}

// The reference's float state of 16 outputs (register lane r = weight row r): 8 float lanes and the
// running total that takes the min terms, updated per super-block in the reference's order.
struct KFloatState {
    __m512 lanes[kSlots];
    __m512 total;

    HEARTH_AVX512 static KFloatState zero() {
        KFloatState s;
        for (int l = 0; l < kSlots; ++l) s.lanes[l] = _mm512_setzero_ps();
        s.total = _mm512_setzero_ps();
        return s;
    }
    // lanes += (d * y.d) * int lanes; for Q4_K / Q5_K, total -= (dmin * y.d) * sum(bsum pairs . min pairs).
    template <bool kMins>
    HEARTH_AVX512 void add(const __m512i* int_lanes, __m512 d, __m512 dmin, const GemmKActBlock& a, const __m512i* min_pairs) {
        const __m512 yd = _mm512_set1_ps(a.d);
        const __m512 scale = _mm512_mul_ps(d, yd);
        for (int l = 0; l < kSlots; ++l) lanes[l] = _mm512_add_ps(lanes[l], _mm512_mul_ps(scale, _mm512_cvtepi32_ps(int_lanes[l])));
        if constexpr (kMins) {
            const auto* bsums = reinterpret_cast<const int32_t*>(a.bsum_pairs);
            __m512i min_sum = _mm512_setzero_si512();
            for (int t = 0; t < kRuns / 2; ++t) min_sum = _mm512_dpwssd_epi32(min_sum, min_pairs[t], _mm512_set1_epi32(bsums[t]));
            total = _mm512_sub_ps(total, _mm512_mul_ps(_mm512_mul_ps(dmin, yd), _mm512_cvtepi32_ps(min_sum)));
        }
    }
    // total + lane 0 + ... + lane 7, as the reference ends.
    HEARTH_AVX512 __m512 finish() const {
        __m512 sum = total;
        for (int l = 0; l < kSlots; ++l) sum = _mm512_add_ps(sum, lanes[l]);
        return sum;
    }
};

// Super-blocks [i0, i1) of the panel against activation row c, continuing that output's float state.
template <class T>
HEARTH_AVX512 void panel_super_blocks(const GemmArgs& args, const PanelSuperBlock* panel, int64_t c, int64_t i0,
                                      int64_t i1, KFloatState& state) {
    const auto* a = static_cast<const GemmKActBlock*>(args.act_blocks) + c * args.nblocks;
    for (int64_t i = i0; i < i1; ++i) {
        if (c == 0) prefetch_next_panel(args, i, args.nblocks);
        const PanelSuperBlock& p = panel[i];
        const auto* quads = reinterpret_cast<const int32_t*>(a[i].quants);
        __m512i lanes[kSlots];
        for (int l = 0; l < kSlots; ++l) lanes[l] = _mm512_sub_epi32(_mm512_setzero_si512(), p.correction[l]);
        for (int k = 0; k < kRuns; ++k) {
            for (int l = 0; l < kSlots; ++l) {
                const __m512i act = _mm512_set1_epi32(quads[k * kSlots + l]);
                // maddubs takes the unsigned operand first; pairs cannot saturate (avx2_k_blocks.h).
                const __m512i pairs = T::kSignedWeights ? _mm512_maddubs_epi16(act, p.slots[k * kSlots + l])
                                                        : _mm512_maddubs_epi16(p.slots[k * kSlots + l], act);
                lanes[l] = _mm512_dpwssd_epi32(lanes[l], pairs, p.scales[k]);
            }
        }
        state.add<!T::kSignedWeights>(lanes, _mm512_load_ps(p.d), _mm512_load_ps(p.dmin), a[i], p.mins);
    }
}

// Every output of the panel, per group of activation rows and chunk by chunk: run(c, i0, i1, state)
// continues output c's State over super-blocks [i0, i1), so each output still takes its super-blocks
// in order; State::finish() gives its 16 floats.
template <class State, class Run>
HEARTH_AVX512 void chunked_columns(const GemmArgs& args, const Run& run) {
    const PanelOutputs outputs(args);
    State states[kColumnGroup];
    for (int64_t c0 = 0; c0 < args.act_rows; c0 += kColumnGroup) {
        const int64_t group = std::min(kColumnGroup, args.act_rows - c0);
        for (int64_t c = 0; c < group; ++c) states[c] = State::zero();
        for (int64_t i0 = 0; i0 < args.nblocks; i0 += kChunkSuperBlocks) {
            const int64_t i1 = std::min(args.nblocks, i0 + kChunkSuperBlocks);
            for (int64_t c = 0; c < group; ++c) run(c0 + c, i0, i1, states[c]);
        }
        for (int64_t c = 0; c < group; ++c) outputs.store(c0 + c, states[c].finish());
    }
    outputs.finish();
}

template <class T>
HEARTH_AVX512 void panel_columns(const GemmArgs& args, const PanelSuperBlock* panel) {
    chunked_columns<KFloatState>(args, [&](int64_t c, int64_t i0, int64_t i1, KFloatState& state) HEARTH_AVX512 {
        panel_super_blocks<T>(args, panel, c, i0, i1, state);
    });
}

}  // namespace
}  // namespace hearth::cpu
