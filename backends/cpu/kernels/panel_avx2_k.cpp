// The AVX2 matmul over the K types' load-time panels (panel_k_layout.h), for CPUs without AVX-512
// VNNI: the AVX-512 kernel's scheme (panel_avx512_k.cpp) on each 8-row half of a panel. A 32-byte
// load holds 4 quant bytes of each of 8 rows in lane order; a mask or a shift of its nibbles gives
// one lane slot of a run for those rows, and the scale dwords unpack with a few shifts and byte
// shuffles. One activation row (decode) runs straight from the layout (per slot one maddubs with
// the activation's 4 quants broadcast and one madd with the rows' scale pair); batches of
// kGemmMinRows+ rows expand each panel once into the AVX2 GEMM's form (gemm_avx2_k.h). Both follow
// the reference's float steps lane by lane, so every output equals vec_dot bit for bit.
#include "backends/cpu/kernels/gemm_avx2_k.h"
#include "backends/cpu/kernels/panel_k_layout.h"

namespace hearth::cpu {
namespace {

constexpr int kHalfRows = kRows / kHalves;

HEARTH_AVX2 inline __m256i load(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }
HEARTH_AVX2 inline __m256i bytes(int value) { return _mm256_set1_epi8(static_cast<char>(value)); }
HEARTH_AVX2 inline __m256 halves8(const uint16_t* h) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h)));
}

// Per dword, bytes (b, b1) of v zero-extended into its two int16.
HEARTH_AVX2 inline __m256i pick_pair(__m256i v, int b, int b1) {
    return _mm256_shuffle_epi8(v, _mm256_broadcastsi128_si256(pick_pair_control(b, b1)));
}

// Q4_K and Q5_K over the layout, rows 8 * half .. 8 * half + 7.
template <bool kFiveBits>
struct Q45Half : Q45Layout<kFiveBits> {
    using typename Q45Layout<kFiveBits>::SuperBlock;
    using Gemm = Q45<typename Q45Layout<kFiveBits>::Block>;

    // visit(k, quants of run k's slot l), the unsigned quants maddubs takes first.
    template <class Visit>
    HEARTH_AVX2 static void for_runs(const SuperBlock& p, int half, int l, const Visit& visit) {
        __m256i high = _mm256_setzero_si256();
        if constexpr (kFiveBits) high = load(p.high[l][kHalfRows * half]);
        for (int j = 0; j < kRuns / 2; ++j) {
            const __m256i raw = load(p.nibbles[j][l][kHalfRows * half]);
            __m256i runs[2] = {_mm256_and_si256(raw, bytes(0x0F)), _mm256_and_si256(_mm256_srli_epi16(raw, 4), bytes(0x0F))};
            for (int n = 0; n < 2; ++n) {
                const int k = 2 * j + n;
                if constexpr (kFiveBits) {  // bit k of each byte to bit 4
                    const __m256i bit = k <= 4 ? _mm256_slli_epi16(high, 4 - k) : _mm256_srli_epi16(high, k - 4);
                    runs[n] = _mm256_or_si256(runs[n], _mm256_and_si256(bit, bytes(0x10)));
                }
                visit(k, runs[n]);
            }
        }
    }

    // get_scale_min_k4 for 8 rows at once: run k's scale in both int16 of a pair, the mins of runs
    // 2t and 2t + 1 as pair t.
    HEARTH_AVX2 static void scales(const SuperBlock& p, int half, __m256i* pairs, __m256i* min_pairs) {
        const int r0 = kHalfRows * half;
        const __m256i w0 = load(&p.scale_words[0][r0]), w1 = load(&p.scale_words[1][r0]), w2 = load(&p.scale_words[2][r0]);
        const __m256i low6 = bytes(0x3F), low4 = bytes(0x0F), top2 = bytes(0x30);
        const __m256i scales_lo = _mm256_and_si256(w0, low6);  // runs 0-3
        const __m256i mins_lo = _mm256_and_si256(w1, low6);
        const __m256i scales_hi = _mm256_or_si256(_mm256_and_si256(w2, low4), _mm256_and_si256(_mm256_srli_epi32(w0, 2), top2));
        const __m256i mins_hi = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi32(w2, 4), low4),
                                                _mm256_and_si256(_mm256_srli_epi32(w1, 2), top2));
        for (int k = 0; k < 4; ++k) {
            pairs[k] = pick_pair(scales_lo, k, k);
            pairs[4 + k] = pick_pair(scales_hi, k, k);
        }
        for (int t = 0; t < 2; ++t) {
            min_pairs[t] = pick_pair(mins_lo, 2 * t, 2 * t + 1);
            min_pairs[2 + t] = pick_pair(mins_hi, 2 * t, 2 * t + 1);
        }
    }

    HEARTH_AVX2 static __m256 dmin(const SuperBlock& p, int half) { return halves8(p.dmin + kHalfRows * half); }
};

// Q6_K over the layout, rows 8 * half .. 8 * half + 7.
struct Q6Half : Q6Layout {
    using Gemm = Q6;

    // visit(k, quants - 32 of run k's slot l), signed as the GEMM's Q6 takes them.
    template <class Visit>
    HEARTH_AVX2 static void for_runs(const SuperBlock& p, int half, int l, const Visit& visit) {
        const int r0 = kHalfRows * half;
        for (int h = 0; h < 2; ++h) {
            const __m256i high = load(p.high[h][l][r0]);
            const __m256i tops[4] = {_mm256_slli_epi16(high, 4), _mm256_slli_epi16(high, 2), high, _mm256_srli_epi16(high, 2)};
            for (int s = 0; s < 2; ++s) {
                const __m256i raw = load(p.nibbles[h][s][l][r0]);
                const __m256i nibbles[2] = {_mm256_and_si256(raw, bytes(0x0F)), _mm256_and_si256(_mm256_srli_epi16(raw, 4), bytes(0x0F))};
                for (int n = 0; n < 2; ++n) {
                    const int m = 2 * n + s;  // run 4h + m
                    const __m256i q = _mm256_or_si256(nibbles[n], _mm256_and_si256(tops[m], bytes(0x30)));
                    visit(4 * h + m, _mm256_sub_epi8(q, bytes(32)));
                }
            }
        }
    }

    // Run k's pair (scale 2k, scale 2k + 1) sign-extended into the two int16 of each dword.
    HEARTH_AVX2 static void scales(const SuperBlock& p, int half, __m256i* pairs, __m256i*) {
        for (int v = 0; v < kRuns / 2; ++v) {
            const __m256i raw = load(p.scales[v][kHalfRows * half]);
            pairs[2 * v] = _mm256_srai_epi16(_mm256_slli_epi16(raw, 8), 8);
            pairs[2 * v + 1] = _mm256_srai_epi16(raw, 8);
        }
    }

    HEARTH_AVX2 static __m256 dmin(const SuperBlock&, int) { return _mm256_setzero_ps(); }
};

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
