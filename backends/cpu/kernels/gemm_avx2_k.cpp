// AVX2 prefill GEMM for the K types (Q4_K, Q5_K, Q6_K; contract in dot_kernels.h): the AVX-512
// kernel's scheme (gemm_avx512_k.cpp) on 8 rows per register. Each half of the 16-row panel is
// repacked so that one register holds one lane slot (4 quants) of a run for 8 rows; per run and slot
// one maddubs with the activation's 4 quants broadcast and one madd with the rows' scale pair add
// that slot's products to lane l of 8 outputs, and the float steps follow the reference lane by lane,
// so every output equals vec_dot bit for bit.
#include "backends/cpu/kernels/avx2_transpose.h"
#include "backends/cpu/kernels/gemm_avx2_k.h"

namespace hearth::cpu {
namespace {

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
    set_corrections<T>(p);
    _mm256_store_ps(p.d, _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(d))));
    _mm256_store_ps(p.dmin, _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(dmin))));
}

template <class T>
HEARTH_AVX2 void gemm(const GemmArgs& args) {
    auto* panel = reinterpret_cast<PanelSuperBlock*>(args.panel);
    for (int64_t i = 0; i < args.nblocks; ++i)
        for (int half = 0; half < kHalves; ++half) pack_half<T>(args, i, half, panel[i].half[half]);
    panel_columns<T>(args, panel);
}

}  // namespace

void add_avx2_k_gemm(GemmKernels& kernels) {
    kernels.q4_k = gemm<Q45<BlockQ4_K>>;
    kernels.q5_k = gemm<Q45<BlockQ5_K>>;
    kernels.q6_k = gemm<Q6>;
}

}  // namespace hearth::cpu
