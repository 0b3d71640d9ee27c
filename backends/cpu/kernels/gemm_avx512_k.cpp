// AVX-512 VNNI prefill GEMM for the K types (Q4_K, Q5_K, Q6_K; contract in dot_kernels.h). The
// reference keeps 8 int32 lanes per super-block and output (lane l: elements l mod 8, times their
// sub-block scale), then 8 float lanes. A panel of 16 weight rows is repacked once: each row's runs
// of 32 quants in lane order (avx2_k_blocks.h), transposed so that one register holds one lane slot
// (4 quants) of every row, plus per-row scale pairs. Per run and lane slot, one maddubs with the
// activation's 4 quants broadcast and one vpdpwssd with the rows' scale pair add that slot's products
// to lane l of all 16 outputs at once (register lanes are rows), so no horizontal step is needed; the
// float steps then run per output lane by lane in the reference's order, so every output equals
// vec_dot bit for bit.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <type_traits>

#include "backends/cpu/kernels/gemm_k_types.h"
#include "backends/cpu/kernels/avx512_blocks.h"
#include "backends/cpu/kernels/dot_kernels.h"
#include "backends/cpu/kernels/gemm_pack.h"
#include "backends/cpu/kernels/gemm_prefetch.h"

namespace hearth::cpu {
namespace {


// One super-block of a repacked panel (register lane r = weight row r).
struct PanelSuperBlock {
    __m512i slots[kRuns * kSlots];  // run k, slot l at 8k + l: 4 quants of lane l of run k per row
    __m512i scales[kRuns];          // int16 pair per row: the scales of run k's two halves
    __m512i mins[kRuns / 2];        // Q4_K / Q5_K: int16 pair (min 2t, min 2t + 1) per row
    __m512i correction[kSlots];     // Q6_K: 128 * (scaled sum of lane l's quants) per row
    float d[16];
    float dmin[16];
};
static_assert(sizeof(PanelSuperBlock) == (64 + 8 + 4 + 8 + 2) * 64, "gemm_panel_bytes assumes this layout");

template <class T>
HEARTH_AVX512 void pack_panel(const GemmArgs& args, PanelSuperBlock* panel) {
    const auto row = [&](int r) {
        return reinterpret_cast<const typename T::Block*>(args.weights + static_cast<uint64_t>(r) * args.weight_stride);
    };
    for (int64_t i = 0; i < args.nblocks; ++i) {
        PanelSuperBlock& p = panel[i];
        __m256i runs[16][kRuns];
        alignas(64) uint32_t pairs[kRuns][16] = {};
        alignas(64) uint32_t min_pairs[kRuns / 2][16] = {};
        for (int r = 0; r < 16; ++r) {
            const bool present = r < args.weight_rows;
            if (present) {
                const typename T::Block& b = row(r)[i];
                T::runs(b, runs[r]);
                uint32_t row_pairs[kRuns];
                uint32_t row_mins[kRuns / 2];
                T::scale_pairs(b, row_pairs, row_mins);
                for (int k = 0; k < kRuns; ++k) pairs[k][r] = row_pairs[k];
                for (int t = 0; t < kRuns / 2; ++t) min_pairs[t][r] = row_mins[t];
            } else {
                for (int k = 0; k < kRuns; ++k) runs[r][k] = _mm256_setzero_si256();
            }
            p.d[r] = present ? _cvtsh_ss(row(r)[i].d) : 0.0f;
            p.dmin[r] = present ? _cvtsh_ss(T::dmin(row(r)[i])) : 0.0f;
        }
        for (int k = 0; k < kRuns; k += 2) {  // two runs of 8 slots per row: 16 int32 to transpose
            __m512i v[16];
            for (int r = 0; r < 16; ++r)
                v[r] = _mm512_inserti64x4(_mm512_castsi256_si512(runs[r][k]), runs[r][k + 1], 1);
            transpose16(v);
            for (int s = 0; s < 16; ++s) _mm512_store_si512(&p.slots[k * kSlots + s], v[s]);
        }
        for (int k = 0; k < kRuns; ++k) p.scales[k] = _mm512_load_si512(pairs[k]);
        for (int t = 0; t < kRuns / 2; ++t) p.mins[t] = _mm512_load_si512(min_pairs[t]);
        for (int l = 0; l < kSlots; ++l) {
            __m512i correction = _mm512_setzero_si512();
            if constexpr (T::kSignedWeights) {
                // 128 * sum over runs of (scale pair . quant pair sums): maddubs of 128s with the quants.
                for (int k = 0; k < kRuns; ++k) {
                    const __m512i pair_sums = _mm512_maddubs_epi16(_mm512_set1_epi8(static_cast<char>(0x80)), p.slots[k * kSlots + l]);
                    correction = _mm512_dpwssd_epi32(correction, pair_sums, p.scales[k]);
                }
            }
            p.correction[l] = correction;
        }
    }
}

// Output rows of the panel against activation row c: the reference's float lanes and total.
template <class T>
HEARTH_AVX512 void panel_column(const GemmArgs& args, const PanelSuperBlock* panel, int64_t c) {
    const auto* a = static_cast<const GemmKActBlock*>(args.act_blocks) + c * args.nblocks;
    __m512 lanes_f[kSlots];
    for (int l = 0; l < kSlots; ++l) lanes_f[l] = _mm512_setzero_ps();
    __m512 total = _mm512_setzero_ps();
    for (int64_t i = 0; i < args.nblocks; ++i) {
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
        const __m512 yd = _mm512_set1_ps(a[i].d);
        const __m512 scale = _mm512_mul_ps(_mm512_load_ps(p.d), yd);
        for (int l = 0; l < kSlots; ++l)
            lanes_f[l] = _mm512_add_ps(lanes_f[l], _mm512_mul_ps(scale, _mm512_cvtepi32_ps(lanes[l])));
        if constexpr (!T::kSignedWeights) {
            const auto* bsums = reinterpret_cast<const int32_t*>(a[i].bsum_pairs);
            __m512i min_sum = _mm512_setzero_si512();
            for (int t = 0; t < kRuns / 2; ++t)
                min_sum = _mm512_dpwssd_epi32(min_sum, p.mins[t], _mm512_set1_epi32(bsums[t]));
            const __m512 min_scale = _mm512_mul_ps(_mm512_load_ps(p.dmin), yd);
            total = _mm512_sub_ps(total, _mm512_mul_ps(min_scale, _mm512_cvtepi32_ps(min_sum)));
        }
    }
    for (int l = 0; l < kSlots; ++l) total = _mm512_add_ps(total, lanes_f[l]);
    const auto rows = static_cast<__mmask16>((1u << args.weight_rows) - 1);
    _mm512_mask_storeu_ps(args.out + c * args.out_stride, rows, total);
}

template <class T>
HEARTH_AVX512 void gemm(const GemmArgs& args) {
    auto* panel = reinterpret_cast<PanelSuperBlock*>(args.panel);
    pack_panel<T>(args, panel);
    for (int64_t c = 0; c < args.act_rows; ++c) panel_column<T>(args, panel, c);
}

}  // namespace

void add_avx512_k_gemm(GemmKernels& kernels) {
    kernels.q4_k = gemm<Q45<BlockQ4_K>>;
    kernels.q5_k = gemm<Q45<BlockQ5_K>>;
    kernels.q6_k = gemm<Q6>;
}

}  // namespace hearth::cpu
