// The AVX2 matmul over the K types' load-time panels (panel_k_layout.h), for CPUs without AVX-512
// VNNI: the AVX-512 kernel's scheme (panel_avx512_k.cpp) on each 8-row half of a panel. A 32-byte
// load holds 4 quant bytes of each of 8 rows in lane order, which give one lane slot of a run for
// those rows (panel_avx2_k_slots.h), and the scale dwords unpack with a few shifts and byte
// shuffles. One activation row (decode) runs straight from the layout (per slot one maddubs with
// the activation's 4 quants broadcast and one madd with the rows' scale pair); batches of
// kGemmMinRows+ rows expand each panel once into the AVX2 GEMM's form (gemm_avx2_k.h). Both follow
// the reference's float steps lane by lane, so every output equals vec_dot bit for bit.
#include "backends/cpu/kernels/panel_avx2_k_slots.h"

namespace hearth::cpu {
namespace {

// Rows 8 * half .. 8 * half + 7 of the panel against activation row c, straight from the layout.
template <class T>
HEARTH_AVX2 void direct_half(const GemmArgs& args, int64_t c, int half) {
    const auto* panel = reinterpret_cast<const typename T::SuperBlock*>(args.weights);
    const auto* a = static_cast<const GemmKActBlock*>(args.act_blocks) + c * args.nblocks;
    constexpr bool kSigned = T::Gemm::kSignedWeights;
    HalfAccum acc = HalfAccum::zero();
    for (int64_t i = 0; i < args.nblocks; ++i) {
        if (c == 0 && half == 0) prefetch_next_panel(args, i, args.nblocks);
        const typename T::SuperBlock& p = panel[i];
        __m256i pairs[kRuns], min_pairs[kRuns / 2];
        T::scales(p, half, pairs, min_pairs);
        const auto* quads = reinterpret_cast<const int32_t*>(a[i].quants);
        __m256i lanes[kSlots];
        // Unrolled, so that for_runs picks a slot's quants of a Q5_K or Q6_K group at compile time
        // (hot in cache, ns per 16-row super-block: Q5_K 143 -> 110, Q6_K 150 -> 121; Q4_K 81 -> 86).
        // Written here: a helper running the loop over a lambda or function did not get the same code.
#pragma GCC unroll 8
        for (int l = 0; l < kSlots; ++l) {
            lanes[l] = _mm256_setzero_si256();
            T::for_runs(p, half, l, [&](int k, __m256i slot) HEARTH_AVX2 {
                const __m256i act = _mm256_set1_epi32(quads[k * kSlots + l]);
                // Q6_K: the activation quants plus 128 times q - 32, less 128 times q - 32 (see set_corrections).
                const __m256i products = kSigned ? _mm256_sub_epi16(_mm256_maddubs_epi16(act, slot), _mm256_maddubs_epi16(bytes(0x80), slot))
                                                 : _mm256_maddubs_epi16(slot, act);
                lanes[l] = _mm256_add_epi32(lanes[l], _mm256_madd_epi16(products, pairs[k]));
            });
        }
        acc.add<!kSigned>(lanes, halves8(p.d + kHalfRows * half), T::dmin(p, half), a[i], min_pairs);
    }
    _mm256_storeu_ps(args.out + c * args.out_stride + kHalfRows * half, acc.finish());
}

// The panel in the AVX2 GEMM's expanded form (gemm_avx2_k.h), for batches.
template <class T>
HEARTH_AVX2 void expand(const GemmArgs& args, PanelSuperBlock* expanded) {
    const auto* panel = reinterpret_cast<const typename T::SuperBlock*>(args.weights);
    for (int64_t i = 0; i < args.nblocks; ++i) {
        for (int half = 0; half < kHalves; ++half) {
            const typename T::SuperBlock& p = panel[i];
            PanelHalf& e = expanded[i].half[half];
#pragma GCC unroll 8
            for (int l = 0; l < kSlots; ++l)
                T::for_runs(p, half, l, [&](int k, __m256i slot) HEARTH_AVX2 { _mm256_store_si256(&e.slots[k * kSlots + l], slot); });
            __m256i min_pairs[kRuns / 2] = {};
            T::scales(p, half, e.scales, min_pairs);
            for (int t = 0; t < kRuns / 2; ++t) e.mins[t] = min_pairs[t];
            _mm256_store_ps(e.d, halves8(p.d + kHalfRows * half));
            _mm256_store_ps(e.dmin, T::dmin(p, half));
            set_corrections<typename T::Gemm>(e);
        }
    }
}

template <class T>
HEARTH_AVX2 void gemm(const GemmArgs& args) {
    if (args.panel == nullptr) {
        for (int64_t c = 0; c < args.act_rows; ++c)
            for (int half = 0; half < kHalves; ++half) direct_half<T>(args, c, half);
        return;
    }
    auto* expanded = reinterpret_cast<PanelSuperBlock*>(args.panel);
    expand<T>(args, expanded);
    panel_columns<typename T::Gemm>(args, expanded);
}

}  // namespace

void add_avx2_k_panel_kernels(PerWeightType<PanelKernel>& kernels) {
    kernels.q4_k = {repack_k_panels<Q45Layout<false>>, gemm<Q45Half<false>>};
    kernels.q5_k = {repack_k_panels<Q45Layout<true>>, gemm<Q45Half<true>>};
    kernels.q6_k = {repack_k_panels<Q6Layout>, gemm<Q6Half>};
}

}  // namespace hearth::cpu
