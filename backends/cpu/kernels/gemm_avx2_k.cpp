// AVX2 prefill GEMM for the K types (Q4_K, Q5_K, Q6_K; contract in dot_kernels.h): the AVX-512
// kernel's scheme (gemm_avx512_k.cpp) on 8 rows per register. Each half of the 16-row panel is
// repacked so that one register holds one lane slot (4 quants) of a run for 8 rows; per run and slot
// one maddubs with the activation's 4 quants broadcast and one madd with the rows' scale pair add
// that slot's products to lane l of 8 outputs, and the float steps follow the reference lane by lane,
// so every output equals vec_dot bit for bit.
#include "backends/cpu/kernels/avx2_transpose.h"
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
static_assert(sizeof(PanelSuperBlock) == (64 + 8 + 4 + 8 + 2) * 64, "gemm_panel_bytes assumes this layout");

template <class T>
HEARTH_AVX2 void pack_half(const GemmArgs& args, int64_t i, int half, PanelHalf& p) {
    __m256i runs[8][kRuns];
    alignas(32) uint32_t pairs[kRuns][8] = {};
    alignas(32) uint32_t min_pairs[kRuns / 2][8] = {};
    alignas(16) uint16_t d[8] = {};
    alignas(16) uint16_t dmin[8] = {};
    for (int k = 0; k < 8; ++k) {
        const int r = 8 * half + k;
        if (r >= args.weight_rows) {
            for (int run = 0; run < kRuns; ++run) runs[k][run] = _mm256_setzero_si256();
            continue;
        }
        const auto& b = reinterpret_cast<const typename T::Block*>(args.weights + static_cast<uint64_t>(r) * args.weight_stride)[i];
        T::runs(b, runs[k]);
        uint32_t row_pairs[kRuns];
        uint32_t row_mins[kRuns / 2];
        T::scale_pairs(b, row_pairs, row_mins);
        for (int run = 0; run < kRuns; ++run) pairs[run][k] = row_pairs[run];
        for (int t = 0; t < kRuns / 2; ++t) min_pairs[t][k] = row_mins[t];
        d[k] = b.d;
        dmin[k] = T::dmin(b);
    }
    for (int run = 0; run < kRuns; ++run) {
        __m256i v[8];
        for (int k = 0; k < 8; ++k) v[k] = runs[k][run];
        transpose8(v);
        for (int l = 0; l < kSlots; ++l) p.slots[run * kSlots + l] = v[l];
        p.scales[run] = _mm256_load_si256(reinterpret_cast<const __m256i*>(pairs[run]));
    }
    for (int t = 0; t < kRuns / 2; ++t) p.mins[t] = _mm256_load_si256(reinterpret_cast<const __m256i*>(min_pairs[t]));
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
    _mm256_store_ps(p.d, _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(d))));
    _mm256_store_ps(p.dmin, _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(dmin))));
}

// The float state of 8 outputs: the reference's 8 float lanes per output (register l = lane l) and
// the running total.
struct HalfAccum {
    __m256 lanes[kSlots];
    __m256 total;
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
    const __m256 yd = _mm256_set1_ps(a.d);
    const __m256 scale = _mm256_mul_ps(_mm256_load_ps(p.d), yd);
    for (int l = 0; l < kSlots; ++l)
        acc.lanes[l] = _mm256_add_ps(acc.lanes[l], _mm256_mul_ps(scale, _mm256_cvtepi32_ps(lanes[l])));
    if constexpr (!T::kSignedWeights) {
        const auto* bsums = reinterpret_cast<const int32_t*>(a.bsum_pairs);
        __m256i min_sum = _mm256_setzero_si256();
        for (int t = 0; t < kRuns / 2; ++t)
            min_sum = _mm256_add_epi32(min_sum, _mm256_madd_epi16(p.mins[t], _mm256_set1_epi32(bsums[t])));
        const __m256 min_scale = _mm256_mul_ps(_mm256_load_ps(p.dmin), yd);
        acc.total = _mm256_sub_ps(acc.total, _mm256_mul_ps(min_scale, _mm256_cvtepi32_ps(min_sum)));
    }
}

template <class T>
HEARTH_AVX2 void panel_column(const GemmArgs& args, const PanelSuperBlock* panel, int64_t c) {
    const auto* a = static_cast<const GemmKActBlock*>(args.act_blocks) + c * args.nblocks;
    HalfAccum acc[kHalves];
    for (HalfAccum& h : acc) {
        for (__m256& lane : h.lanes) lane = _mm256_setzero_ps();
        h.total = _mm256_setzero_ps();
    }
    for (int64_t i = 0; i < args.nblocks; ++i) {
        if (c == 0) prefetch_next_panel(args, i, args.nblocks);
        for (int half = 0; half < kHalves; ++half) add_super_block<T>(panel[i].half[half], a[i], acc[half]);
    }
    alignas(32) float out[16];
    for (int half = 0; half < kHalves; ++half) {
        __m256 total = acc[half].total;
        for (const __m256& lane : acc[half].lanes) total = _mm256_add_ps(total, lane);
        _mm256_store_ps(out + 8 * half, total);
    }
    float* dst = args.out + c * args.out_stride;
    for (int r = 0; r < args.weight_rows; ++r) dst[r] = out[r];
}

template <class T>
HEARTH_AVX2 void gemm(const GemmArgs& args) {
    auto* panel = reinterpret_cast<PanelSuperBlock*>(args.panel);
    for (int64_t i = 0; i < args.nblocks; ++i)
        for (int half = 0; half < kHalves; ++half) pack_half<T>(args, i, half, panel[i].half[half]);
    for (int64_t c = 0; c < args.act_rows; ++c) panel_column<T>(args, panel, c);
}

}  // namespace

void add_avx2_k_gemm(GemmKernels& kernels) {
    kernels.q4_k = gemm<Q45<BlockQ4_K>>;
    kernels.q5_k = gemm<Q45<BlockQ5_K>>;
    kernels.q6_k = gemm<Q6>;
}

}  // namespace hearth::cpu
