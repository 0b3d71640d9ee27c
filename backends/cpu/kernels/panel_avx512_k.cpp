// The AVX-512 VNNI matmul over the K types' load-time panels (panel_k_layout.h). Per super-block a
// 64-byte load holds 4 quant bytes of each of the 16 rows in lane order, which give one lane slot of
// a run for all 16 rows with no transposition (panel_avx512_k_slots.h), and the scale dwords unpack
// with a few shifts and byte shuffles.
//
// One activation row (decode) runs straight from this layout: per slot one maddubs with the
// activation's 4 quants broadcast and one vpdpwssd with the rows' scale pair, as in the GEMM
// (gemm_avx512_k.h), so no horizontal sums. Batches of kGemmMinRows+ rows (GemmArgs::panel set)
// first expand the panel into the GEMM's form, once for all rows, and run its column kernel. Both
// follow the reference's float steps lane by lane, so every output equals vec_dot bit for bit.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include "backends/cpu/kernels/gemm_avx512_k.h"
#include "backends/cpu/kernels/panel_avx512_k_slots.h"

namespace hearth::cpu {
namespace {

// The panel's outputs against activation row c, straight from the layout (panel_super_blocks of
// gemm_avx512_k.h with the slots made on the fly).
template <class T>
HEARTH_AVX512 void direct_column(const GemmArgs& args, int64_t c) {
    const auto* panel = reinterpret_cast<const typename T::SuperBlock*>(args.weights);
    const auto* a = static_cast<const GemmKActBlock*>(args.act_blocks) + c * args.nblocks;
    constexpr bool kSigned = T::Gemm::kSignedWeights;
    KFloatState state = KFloatState::zero();
    for (int64_t i = 0; i < args.nblocks; ++i) {
        if (c == 0) prefetch_next_panel(args, i, args.nblocks);
        const typename T::SuperBlock& p = panel[i];
        __m512i pairs[kRuns], min_pairs[kRuns / 2];
        T::scales(p, pairs, min_pairs);
        const auto* quads = reinterpret_cast<const int32_t*>(a[i].quants);
        __m512i lanes[kSlots];
        for (int l = 0; l < kSlots; ++l) lanes[l] = _mm512_setzero_si512();
        T::for_slots(p, [&](int k, int l, __m512i slot) HEARTH_AVX512 {
            const __m512i act = _mm512_set1_epi32(quads[k * kSlots + l]);
            // Q6_K: the activation quants plus 128 times q - 32, less 128 times q - 32 (see set_corrections).
            const __m512i products = kSigned ? _mm512_sub_epi16(_mm512_maddubs_epi16(act, slot), _mm512_maddubs_epi16(bytes(0x80), slot))
                                             : _mm512_maddubs_epi16(slot, act);
            lanes[l] = _mm512_dpwssd_epi32(lanes[l], products, pairs[k]);
        });
        state.add<!kSigned>(lanes, halves16(p.d), T::dmin(p), a[i], min_pairs);
    }
    _mm512_storeu_ps(args.out + c * args.out_stride, state.finish());
}

// The panel in the GEMM's expanded form (gemm_avx512_k.h), for batches.
template <class T>
HEARTH_AVX512 void expand(const GemmArgs& args, PanelSuperBlock* expanded) {
    const auto* panel = reinterpret_cast<const typename T::SuperBlock*>(args.weights);
    for (int64_t i = 0; i < args.nblocks; ++i) {
        const typename T::SuperBlock& p = panel[i];
        PanelSuperBlock& e = expanded[i];
        T::for_slots(p, [&](int k, int l, __m512i slot) HEARTH_AVX512 { _mm512_store_si512(&e.slots[k * kSlots + l], slot); });
        __m512i min_pairs[kRuns / 2] = {};
        T::scales(p, e.scales, min_pairs);
        for (int t = 0; t < kRuns / 2; ++t) e.mins[t] = min_pairs[t];
        _mm512_store_ps(e.d, halves16(p.d));
        _mm512_store_ps(e.dmin, T::dmin(p));
        set_corrections<typename T::Gemm>(e);
    }
}

template <class T>
HEARTH_AVX512 void gemm(const GemmArgs& args) {
    if (args.panel == nullptr) {
        for (int64_t c = 0; c < args.act_rows; ++c) direct_column<T>(args, c);
        return;
    }
    auto* expanded = reinterpret_cast<PanelSuperBlock*>(args.panel);
    expand<T>(args, expanded);
    panel_columns<typename T::Gemm>(args, expanded);
}

}  // namespace

void add_avx512_k_panel_kernels(PerWeightType<PanelKernel>& kernels) {
    kernels.q4_k = {repack_k_panels<Q45Layout<false>>, gemm<Q45Panel<false>>};
    kernels.q5_k = {repack_k_panels<Q45Layout<true>>, gemm<Q45Panel<true>>};
    kernels.q6_k = {repack_k_panels<Q6Layout>, gemm<Q6Panel>};
}

}  // namespace hearth::cpu
