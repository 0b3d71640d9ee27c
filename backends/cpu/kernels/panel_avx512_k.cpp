// Q4_K, Q5_K and Q6_K weights repacked at load into 16-row panels (kPanelLayout) of exactly the
// file's size, and the AVX-512 VNNI matmul over them. Per super-block a register holds 4 quant bytes
// of each of the 16 rows, already in the reference's lane order (byte b of slot l is element
// l + 8b of its run of 32, avx2_k_blocks.h): its low and high nibbles are one lane slot of two runs,
// so a mask or a shift gives the slot of all 16 rows with no transposition. The scale bytes are
// stored per row as dwords (register lane r = row r) and unpacked with a few shifts per super-block.
//
// One activation row (decode) runs straight from this layout: per slot one maddubs with the
// activation's 4 quants broadcast and one vpdpwssd with the rows' scale pair, as in the GEMM
// (gemm_avx512_k.h), so no horizontal sums. Batches of kGemmMinRows+ rows (GemmArgs::panel set)
// first expand the panel into the GEMM's form, once for all rows, and run its column kernel. Both
// follow the reference's float steps lane by lane, so every output equals vec_dot bit for bit.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <cstring>
#include <type_traits>

#include "backends/cpu/kernels/gemm_avx512_k.h"

namespace hearth::cpu {
namespace {

constexpr int kRows = kGemmPanelRows;
using Quads = uint8_t[kSlots][kRows][4];  // slot l, row r: 4 quant bytes in lane order
struct NoHighBits {};

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

// Q4_K and Q5_K: per super-block the quants of runs 2j (low nibbles) and 2j + 1 (high nibbles) as
// qs[32j..32j+31], Q5_K's fifth bits as qh (bit k of byte l + 8b: run k, slot l, byte b), the 12
// packed scale bytes as three dwords per row, d and dmin.
template <bool kFiveBits>
struct Q45Panel {
    using Block = std::conditional_t<kFiveBits, BlockQ5_K, BlockQ4_K>;
    using Gemm = Q45<Block>;
    struct SuperBlock {
        Quads nibbles[kRuns / 2];
        [[no_unique_address]] std::conditional_t<kFiveBits, Quads, NoHighBits> high;
        uint32_t scale_words[3][kRows];
        uint16_t d[kRows];
        uint16_t dmin[kRows];
    };
    static_assert(sizeof(SuperBlock) == kRows * sizeof(Block), "the panel layout keeps the file's size");

    static void repack_row(const Block& b, int r, SuperBlock& p) {
        for (int j = 0; j < kRuns / 2; ++j)
            for (int l = 0; l < kSlots; ++l)
                for (int m = 0; m < 4; ++m) p.nibbles[j][l][r][m] = b.qs[32 * j + l + 8 * m];
        if constexpr (kFiveBits)
            for (int l = 0; l < kSlots; ++l)
                for (int m = 0; m < 4; ++m) p.high[l][r][m] = b.qh[l + 8 * m];
        for (int w = 0; w < 3; ++w) std::memcpy(&p.scale_words[w][r], b.scales + 4 * w, 4);
        p.d[r] = b.d;
        p.dmin[r] = b.dmin;
    }

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

// Q6_K: per half h of the super-block, the low nibbles of runs 4h + s (low) and 4h + 2 + s (high) as
// ql[64h + 32s..], the top two bits of runs 4h + m as bits 2m, 2m + 1 of qh[32h..]; the 16 int8
// scales per row in the order that makes each dword two runs' pairs (below); d.
struct Q6Panel {
    using Block = BlockQ6_K;
    using Gemm = Q6;
    struct SuperBlock {
        Quads nibbles[2][2];
        Quads high[2];
        int8_t scales[kRuns / 2][kRows][4];  // dword v of row r: scales 4v, 4v + 2, 4v + 1, 4v + 3
        uint16_t d[kRows];
    };
    static_assert(sizeof(SuperBlock) == kRows * sizeof(Block), "the panel layout keeps the file's size");

    static void repack_row(const Block& b, int r, SuperBlock& p) {
        for (int h = 0; h < 2; ++h)
            for (int l = 0; l < kSlots; ++l)
                for (int m = 0; m < 4; ++m) {
                    for (int s = 0; s < 2; ++s) p.nibbles[h][s][l][r][m] = b.ql[64 * h + 32 * s + l + 8 * m];
                    p.high[h][l][r][m] = b.qh[32 * h + l + 8 * m];
                }
        for (int v = 0; v < kRuns / 2; ++v) {
            const int8_t order[4] = {b.scales[4 * v], b.scales[4 * v + 2], b.scales[4 * v + 1], b.scales[4 * v + 3]};
            std::memcpy(p.scales[v][r], order, 4);
        }
        p.d[r] = b.d;
    }

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

template <class T>
void repack(const uint8_t* src, int64_t rows, int64_t nblocks, uint8_t* dst) {
    const auto* in = reinterpret_cast<const typename T::Block*>(src);
    auto* out = reinterpret_cast<typename T::SuperBlock*>(dst);
    for (int64_t panel = 0; panel < rows / kRows; ++panel)
        for (int64_t i = 0; i < nblocks; ++i)
            for (int r = 0; r < kRows; ++r) T::repack_row(in[(panel * kRows + r) * nblocks + i], r, out[panel * nblocks + i]);
}

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
    kernels.q4_k = {repack<Q45Panel<false>>, gemm<Q45Panel<false>>};
    kernels.q5_k = {repack<Q45Panel<true>>, gemm<Q45Panel<true>>};
    kernels.q6_k = {repack<Q6Panel>, gemm<Q6Panel>};
}

}  // namespace hearth::cpu
