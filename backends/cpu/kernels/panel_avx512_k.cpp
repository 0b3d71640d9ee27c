// The AVX-512 VNNI matmul over the K types' load-time panels (panel_k_layout.h). Per super-block a
// 64-byte load holds 4 quant bytes of each of the 16 rows in lane order; a mask or a shift of its
// nibbles gives one lane slot of a run for all 16 rows with no transposition, and the scale dwords
// unpack with a few shifts and byte shuffles.
//
// One activation row (decode) runs straight from this layout: per slot one maddubs with the
// activation's 4 quants broadcast and one vpdpwssd with the rows' scale pair, as in the GEMM
// (gemm_avx512_k.h), so no horizontal sums. Batches of kGemmMinRows+ rows (GemmArgs::panel set)
// first expand the panel into the GEMM's form, once for all rows, and run its column kernel. Both
// follow the reference's float steps lane by lane, so every output equals vec_dot bit for bit.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include "backends/cpu/kernels/gemm_avx512_k.h"
#include "backends/cpu/kernels/panel_k_layout.h"

namespace hearth::cpu {
namespace {

HEARTH_AVX512 inline __m512i load(const void* p) { return _mm512_loadu_si512(p); }
HEARTH_AVX512 inline __m512i bytes(int value) { return _mm512_set1_epi8(static_cast<char>(value)); }
HEARTH_AVX512 inline __m512 halves16(const uint16_t* h) {
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(h)));
}

// Per dword, bytes (b, b1) of v zero-extended into its two int16: vpshufb with the same pick in every
// dword of the 128-bit lanes.
HEARTH_AVX512 inline __m512i pick_pair(__m512i v, int b, int b1) {
    const auto at = [&](int dword, int byte) { return static_cast<char>(4 * dword + byte); };
    const char zero = static_cast<char>(0x80);
    return _mm512_shuffle_epi8(v, _mm512_broadcast_i32x4(_mm_setr_epi8(at(0, b), zero, at(0, b1), zero, at(1, b), zero,
                                                                       at(1, b1), zero, at(2, b), zero, at(2, b1), zero,
                                                                       at(3, b), zero, at(3, b1), zero)));
}

// Q4_K and Q5_K over the layout (panel_k_layout.h).
template <bool kFiveBits>
struct Q45Panel : Q45Layout<kFiveBits> {
    using typename Q45Layout<kFiveBits>::SuperBlock;
    using Gemm = Q45<typename Q45Layout<kFiveBits>::Block>;

    // visit(k, l, quants of run k's slot l for the 16 rows), the unsigned quants maddubs takes first.
    template <class Visit>
    HEARTH_AVX512 static void for_slots(const SuperBlock& p, const Visit& visit) {
        for (int l = 0; l < kSlots; ++l) {
            __m512i high = _mm512_setzero_si512();
            if constexpr (kFiveBits) high = load(p.high[l]);
            for (int j = 0; j < kRuns / 2; ++j) {
                const __m512i raw = load(p.nibbles[j][l]);
                __m512i runs[2] = {_mm512_and_si512(raw, bytes(0x0F)), _mm512_and_si512(_mm512_srli_epi16(raw, 4), bytes(0x0F))};
                for (int h = 0; h < 2; ++h) {
                    const int k = 2 * j + h;
                    if constexpr (kFiveBits) {  // bit k of each byte to bit 4
                        const __m512i bit = k <= 4 ? _mm512_slli_epi16(high, 4 - k) : _mm512_srli_epi16(high, k - 4);
                        runs[h] = _mm512_or_si512(runs[h], _mm512_and_si512(bit, bytes(0x10)));
                    }
                    visit(k, l, runs[h]);
                }
            }
        }
    }

    // get_scale_min_k4 for the 16 rows at once: run k's scale in both int16 of a pair, the mins of
    // runs 2t and 2t + 1 as pair t.
    HEARTH_AVX512 static void scales(const SuperBlock& p, __m512i* pairs, __m512i* min_pairs) {
        const __m512i w0 = load(p.scale_words[0]), w1 = load(p.scale_words[1]), w2 = load(p.scale_words[2]);
        const __m512i low6 = bytes(0x3F), low4 = bytes(0x0F), top2 = bytes(0x30);
        const __m512i scales_lo = _mm512_and_si512(w0, low6);  // runs 0-3
        const __m512i mins_lo = _mm512_and_si512(w1, low6);
        const __m512i scales_hi = _mm512_or_si512(_mm512_and_si512(w2, low4), _mm512_and_si512(_mm512_srli_epi32(w0, 2), top2));
        const __m512i mins_hi = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi32(w2, 4), low4),
                                                _mm512_and_si512(_mm512_srli_epi32(w1, 2), top2));
        for (int k = 0; k < 4; ++k) {
            pairs[k] = pick_pair(scales_lo, k, k);
            pairs[4 + k] = pick_pair(scales_hi, k, k);
        }
        for (int t = 0; t < 2; ++t) {
            min_pairs[t] = pick_pair(mins_lo, 2 * t, 2 * t + 1);
            min_pairs[2 + t] = pick_pair(mins_hi, 2 * t, 2 * t + 1);
        }
    }

    HEARTH_AVX512 static __m512 dmin(const SuperBlock& p) { return halves16(p.dmin); }
};

// Q6_K over the layout (panel_k_layout.h).
struct Q6Panel : Q6Layout {
    using Gemm = Q6;

    // visit(k, l, quants - 32 of run k's slot l for the 16 rows), signed as the GEMM's Q6 takes them.
    template <class Visit>
    HEARTH_AVX512 static void for_slots(const SuperBlock& p, const Visit& visit) {
        for (int h = 0; h < 2; ++h)
            for (int l = 0; l < kSlots; ++l) {
                const __m512i high = load(p.high[h][l]);
                const __m512i tops[4] = {_mm512_slli_epi16(high, 4), _mm512_slli_epi16(high, 2), high, _mm512_srli_epi16(high, 2)};
                for (int s = 0; s < 2; ++s) {
                    const __m512i raw = load(p.nibbles[h][s][l]);
                    const __m512i nibbles[2] = {_mm512_and_si512(raw, bytes(0x0F)), _mm512_and_si512(_mm512_srli_epi16(raw, 4), bytes(0x0F))};
                    for (int n = 0; n < 2; ++n) {
                        const int m = 2 * n + s;  // run 4h + m
                        const __m512i q = _mm512_or_si512(nibbles[n], _mm512_and_si512(tops[m], bytes(0x30)));
                        visit(4 * h + m, l, _mm512_sub_epi8(q, bytes(32)));
                    }
                }
            }
    }

    // Run k's pair (scale 2k, scale 2k + 1) sign-extended into the two int16 of each dword.
    HEARTH_AVX512 static void scales(const SuperBlock& p, __m512i* pairs, __m512i*) {
        for (int v = 0; v < kRuns / 2; ++v) {
            const __m512i raw = load(p.scales[v]);
            pairs[2 * v] = _mm512_srai_epi16(_mm512_slli_epi16(raw, 8), 8);
            pairs[2 * v + 1] = _mm512_srai_epi16(raw, 8);
        }
    }

    HEARTH_AVX512 static __m512 dmin(const SuperBlock&) { return _mm512_setzero_ps(); }
};

// The panel's outputs against activation row c, straight from the layout (one panel_column of
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
    for (int64_t c = 0; c < args.act_rows; ++c) panel_column<typename T::Gemm>(args, expanded, c);
}

}  // namespace

void add_avx512_k_panel_kernels(PerWeightType<PanelKernel>& kernels) {
    kernels.q4_k = {repack_k_panels<Q45Layout<false>>, gemm<Q45Panel<false>>};
    kernels.q5_k = {repack_k_panels<Q45Layout<true>>, gemm<Q45Panel<true>>};
    kernels.q6_k = {repack_k_panels<Q6Layout>, gemm<Q6Panel>};
}

}  // namespace hearth::cpu
