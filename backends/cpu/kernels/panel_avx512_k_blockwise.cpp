// AVX-512 VNNI matmul over the K types' load-time panels in the blockwise arithmetic
// (ref::dot_blockwise): each super-block's scaled products summed as one exact int32, then one float
// step. Batches (4+ rows): per sub-block, vpdpbusd adds 4 quants of all 16 rows (register lanes are
// rows) times the activation's 4 quants broadcast, and one vpmulld applies the rows' sub-block
// scales: 9 multiplies per 32 quants where ggml's lane order costs 16 (maddubs, then vpdpwssd, per
// slot). One to three rows (decode) run straight from the layout (direct, below). Integer sums do
// not depend on their order, so every output equals dot_blockwise bit for bit.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <array>
#include <type_traits>
#include <utility>

#include "backends/cpu/kernels/gemm_avx512_k.h"
#include "backends/cpu/kernels/gemm_avx512_store.h"
#include "backends/cpu/kernels/gemm_columns.h"
#include "backends/cpu/kernels/fast_math_avx512.h"
#include "backends/cpu/kernels/panel_avx512_k_slots.h"

namespace hearth::cpu {
namespace {

// One super-block expanded for the blockwise kernel (register lane r = weight row r).
struct BlockwiseSuperBlock {
    // Q4_K / Q5_K: slot l of run k at 8k + l, as PanelSuperBlock. Q6_K (whose lane slots mix two
    // sub-blocks of 16): dword 8k + 2p + h holds bytes 2h, 2h + 1 of slots 2p and 2p + 1 of run k,
    // 4 quants of sub-block 2k + h; describe_act_blocks orders the activations alike.
    __m512i slots[kRuns * kSlots];
    __m512i scales[2 * kRuns];  // int32 scale per sub-block: Q4_K / Q5_K 8 of 32 quants (the rest unused), Q6_K 16 of 16
    __m512i mins[kRuns / 2];    // Q4_K / Q5_K: int16 pairs (min 2t, min 2t + 1)
    __m512i correction;         // Q6_K: 128 * sum over sub-blocks of scale * (sum of its quants - 32)
    float d[16];
    float dmin[16];
};
static_assert(sizeof(BlockwiseSuperBlock) <= kGemmKSuperBlockBytes, "gemm_panel_bytes must hold this layout");

// Q6_K's re-pairing: per dword, (low words of a, b) and (high words of a, b).
HEARTH_AVX512 inline __m512i low_words(__m512i a, __m512i b) {
    return _mm512_mask_blend_epi16(0xAAAAAAAA, a, _mm512_slli_epi32(b, 16));
}
HEARTH_AVX512 inline __m512i high_words(__m512i a, __m512i b) {
    return _mm512_mask_blend_epi16(0xAAAAAAAA, _mm512_srli_epi32(a, 16), b);
}

// Panel `panel`'s super-blocks into expanded[i * stride] (the panels of a call interleave).
template <class T>
HEARTH_AVX512 void expand(const typename T::SuperBlock* panel, int64_t nblocks, BlockwiseSuperBlock* expanded, int stride) {
    const __m512i zero = _mm512_setzero_si512();
    for (int64_t i = 0; i < nblocks; ++i) {
        const typename T::SuperBlock& p = panel[i];
        BlockwiseSuperBlock& e = expanded[i * stride];
        T::for_slots(p, [&](int k, int l, __m512i slot) HEARTH_AVX512 { e.slots[k * kSlots + l] = slot; });
        __m512i pairs[kRuns], min_pairs[kRuns / 2] = {};
        T::scales(p, pairs, min_pairs);
        e.correction = zero;
        if constexpr (T::Gemm::kSignedWeights) {
            const __m512i ones = _mm512_set1_epi8(1);
            for (int k = 0; k < kRuns; ++k) {
                const __m512i scale[2] = {_mm512_srai_epi32(_mm512_slli_epi32(pairs[k], 16), 16), _mm512_srai_epi32(pairs[k], 16)};
                for (int h = 0; h < 2; ++h) e.scales[2 * k + h] = scale[h];
                for (int q = 0; q < kSlots / 2; ++q) {
                    __m512i* pair = &e.slots[k * kSlots + 2 * q];
                    const __m512i halves[2] = {low_words(pair[0], pair[1]), high_words(pair[0], pair[1])};
                    for (int h = 0; h < 2; ++h) {
                        pair[h] = halves[h];
                        const __m512i quant_sums = _mm512_dpbusd_epi32(zero, ones, halves[h]);
                        e.correction = _mm512_add_epi32(e.correction, _mm512_mullo_epi32(quant_sums, scale[h]));
                    }
                }
            }
            e.correction = _mm512_slli_epi32(e.correction, 7);
        } else {
            for (int k = 0; k < kRuns; ++k) e.scales[k] = _mm512_and_si512(pairs[k], _mm512_set1_epi32(0xFFFF));
        }
        for (int t = 0; t < kRuns / 2; ++t) e.mins[t] = min_pairs[t];
        _mm512_store_ps(e.d, halves16(p.d));
        _mm512_store_ps(e.dmin, T::dmin(p));
    }
}

// Activation rows per pass over a chunk of the panels: a multiple of the 6 register columns, and with
// the chunk's expanded super-blocks within L1 (36 x 2 activation blocks of 320 B, 2 x 2 of 5.5 KB).
constexpr int64_t kRowGroup = 36;

// Index of quad t (of its kQuads) of sub-block j in a super-block's slots and activation quads.
template <bool kQ6>
constexpr int quad_index(int j, int t) {
    return kQ6 ? kSlots * (j / 2) + 2 * t + j % 2 : kSlots * j + t;
}

// The R panels' super-blocks p[0..R) against C activation rows (their blocks a[c]), added to their
// float totals (panel r's at totals[r * kRowGroup + c]). Per sub-block each quad of quants is
// loaded once for C rows and each activation quad broadcast once for R panels: R * C independent
// sums per load of R + C registers.
template <bool kQ6, int R, int C>
HEARTH_AVX512 void super_blocks(const BlockwiseSuperBlock* p, const GemmKActBlock* const* a, __m512* totals) {
    constexpr int kSubBlocks = kQ6 ? 16 : 8;
    constexpr int kQuads = kQ6 ? 4 : 8;
    const __m512i zero = _mm512_setzero_si512();
    __m512i sums[R][C];
    for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c) sums[r][c] = kQ6 ? _mm512_sub_epi32(zero, p[r].correction) : zero;
    for (int j = 0; j < kSubBlocks; ++j) {
        __m512i dots[R][C];
        for (int r = 0; r < R; ++r)
            for (int c = 0; c < C; ++c) dots[r][c] = zero;
        for (int t = 0; t < kQuads; ++t) {
            __m512i quants[R];
            for (int r = 0; r < R; ++r) quants[r] = p[r].slots[quad_index<kQ6>(j, t)];
            for (int c = 0; c < C; ++c) {
                const __m512i act = _mm512_set1_epi32(reinterpret_cast<const int32_t*>(a[c]->quants)[quad_index<kQ6>(j, t)]);
                // Q6_K: the activation quants plus 128 (unsigned) times q - 32.
                for (int r = 0; r < R; ++r)
                    dots[r][c] = kQ6 ? _mm512_dpbusd_epi32(dots[r][c], act, quants[r]) : _mm512_dpbusd_epi32(dots[r][c], quants[r], act);
            }
        }
        for (int r = 0; r < R; ++r)
            for (int c = 0; c < C; ++c) sums[r][c] = _mm512_add_epi32(sums[r][c], _mm512_mullo_epi32(dots[r][c], p[r].scales[j]));
    }
    for (int r = 0; r < R; ++r) {
        const __m512 d = _mm512_load_ps(p[r].d);
        for (int c = 0; c < C; ++c) {
            __m512& total = totals[r * kRowGroup + c];
            const __m512 yd = _mm512_set1_ps(a[c]->d);
            total = _mm512_add_ps(total, _mm512_mul_ps(_mm512_mul_ps(d, yd), _mm512_cvtepi32_ps(sums[r][c])));
            if constexpr (!kQ6) {
                const auto* bsums = reinterpret_cast<const int32_t*>(a[c]->bsum_pairs);
                __m512i min_sum = zero;
                for (int t = 0; t < kRuns / 2; ++t) min_sum = _mm512_dpwssd_epi32(min_sum, p[r].mins[t], _mm512_set1_epi32(bsums[t]));
                total = _mm512_sub_ps(total, _mm512_mul_ps(_mm512_mul_ps(_mm512_load_ps(p[r].dmin), yd), _mm512_cvtepi32_ps(min_sum)));
            }
        }
    }
}

// Batches only (GemmArgs::panel set), R consecutive panels per call (kSwiglu: a gate panel and its up
// panel, whose SwiGLU is stored instead): they are expanded once for all activation rows, then per
// group of activation rows each chunk of super-blocks (in L1) meets the group's rows C at a time;
// each output takes its super-blocks in order.
template <class T, int R, int C, bool kSwiglu = false>
HEARTH_AVX512 void gemm_panels(const GemmArgs& args) {
    static_assert(!kSwiglu || R == 2, "SwiGLU pairs a gate panel with an up panel");
    constexpr bool kQ6 = T::Gemm::kSignedWeights;
    constexpr int64_t kChunk = kChunkSuperBlocks / R;  // the chunk's expanded bytes stay those of one panel's
    auto* expanded = reinterpret_cast<BlockwiseSuperBlock*>(args.panel);
    const auto* panels = reinterpret_cast<const typename T::SuperBlock*>(args.weights);
    GemmArgs panel_args[R];
    for (int r = 0; r < R; ++r) {
        const auto* panel = kSwiglu && r == 1 ? reinterpret_cast<const typename T::SuperBlock*>(args.up_weights) : panels + r * args.nblocks;
        expand<T>(panel, args.nblocks, expanded + r, R);
        panel_args[r] = args;
        panel_args[r].weight_rows = kGemmPanelRows;
        panel_args[r].out = args.out + r * kGemmPanelRows;
    }
    constexpr int kStored = kSwiglu ? 1 : R;  // panels whose outputs are stored
    const auto outputs = [&]<size_t... r>(std::index_sequence<r...>) { return std::array{PanelOutputs(panel_args[r])...}; }(std::make_index_sequence<kStored>());
    const auto* blocks = static_cast<const GemmKActBlock*>(args.act_blocks);
    for (int64_t c0 = 0; c0 < args.act_rows; c0 += kRowGroup) {
        const int64_t group = std::min(kRowGroup, args.act_rows - c0);
        __m512 totals[R * kRowGroup];
        // Zeroed by vector stores: GCC would turn a loop of zero stores into rep stos, which took
        // 1.5% of llama-1b Q5_K_M pp512 (the zero register hidden from it keeps the stores).
        __m512 zero = _mm512_setzero_ps();
        asm("" : "+v"(zero));
        for (int r = 0; r < R; ++r)
            for (int64_t c = 0; c < group; ++c) totals[r * kRowGroup + c] = zero;
        for (int64_t i0 = 0; i0 < args.nblocks; i0 += kChunk) {
            const int64_t i1 = std::min(args.nblocks, i0 + kChunk);
            for_column_chunks<C>(group, [&]<int kColumns>(int64_t g) HEARTH_AVX512 {
                for (int64_t i = i0; i < i1; ++i) {
                    if (c0 + g == 0) prefetch_next_panel(args, i, args.nblocks);
                    const GemmKActBlock* a[kColumns];
                    for (int c = 0; c < kColumns; ++c) a[c] = blocks + (c0 + g + c) * args.nblocks + i;
                    super_blocks<kQ6, R, kColumns>(expanded + i * R, a, totals + g);
                }
            });
        }
        if constexpr (kSwiglu) {
            for (int64_t c = 0; c < group; ++c) outputs[0].store(c0 + c, swiglu_vector(totals[c], totals[kRowGroup + c]));
        } else {
            for (int r = 0; r < kStored; ++r)
                for (int64_t c = 0; c < group; ++c) outputs[r].store(c0 + c, totals[r * kRowGroup + c]);
        }
    }
    for (const PanelOutputs& o : outputs) o.finish();
}

// One super-block of a panel against one activation row's quads (lane order): per row, the sum over
// sub-blocks of scale times (unsigned quants . activation quants), exact in int32. Q4_K / Q5_K: per
// slot one maddubs and one vpdpwssd with the run's scale pair into the slot's sum, as the exact
// kernel (adding a sub-block's maddubs pairs as int16 first saves no instruction where vpdpwssd
// adds as it multiplies, and vpdpbusd into each run's sum, then a vpmulld by its scale, measured
// slower: Q4_K 56 -> 70 ns per 16-row super-block hot in cache, on Zen 4). Q6_K, whose exact kernel
// needs two maddubs per slot for its signed quants: the unsigned quants against the signed
// activation quants, two slots' maddubs pairs (up to 2 * 63 * 128 each) added as int16, then
// one vpdpwssd with the scale pair.
template <class T>
HEARTH_AVX512 __m512i direct_sums(const typename T::SuperBlock& p, const int32_t* quads, const __m512i* pairs) {
    const __m512i zero = _mm512_setzero_si512();
    __m512i chains[kSlots];
    for (__m512i& chain : chains) chain = zero;
    if constexpr (T::Gemm::kSignedWeights) {
        __m512i run_sums[kRuns];
        for (__m512i& sum : run_sums) sum = zero;
        T::for_unsigned_slots(p, [&](int k, int l, __m512i q) HEARTH_AVX512 {
            run_sums[k] = _mm512_add_epi16(run_sums[k], _mm512_maddubs_epi16(q, _mm512_set1_epi32(quads[k * kSlots + l])));
            if (l % 2 == 1) {
                chains[k % 4] = _mm512_dpwssd_epi32(chains[k % 4], run_sums[k], pairs[k]);
                run_sums[k] = zero;
            }
        });
    } else {
        T::for_unsigned_slots(p, [&](int k, int l, __m512i q) HEARTH_AVX512 {
            chains[l] = _mm512_dpwssd_epi32(chains[l], _mm512_maddubs_epi16(q, _mm512_set1_epi32(quads[k * kSlots + l])), pairs[k]);
        });
    }
    for (int width = kSlots / 2; width > 0; width /= 2)
        for (int l = 0; l < width; ++l) chains[l] = _mm512_add_epi32(chains[l], chains[l + width]);
    return chains[0];
}

// Fewer than kGemmMinRows activation rows (GemmArgs::panel null, activations in KActForm::lanes):
// each row straight from the layout, the call's panels one after another. Q6_K's quants are taken
// unsigned against the signed activation quants, and 32 * (scale . sub-block activation sums) comes
// off each row's sum.
template <class T>
HEARTH_AVX512 void direct(const GemmArgs& args) {
    constexpr bool kQ6 = T::Gemm::kSignedWeights;
    const auto* panels = reinterpret_cast<const typename T::SuperBlock*>(args.weights);
    const auto* blocks = static_cast<const GemmKActBlock*>(args.act_blocks);
    const int count = args.weight_rows / kGemmPanelRows;
    for (int r = 0; r < count; ++r) {
        for (int64_t c = 0; c < args.act_rows; ++c) {
            const GemmKActBlock* a = blocks + c * args.nblocks;
            __m512 total = _mm512_setzero_ps();
            for (int64_t i = 0; i < args.nblocks; ++i) {
                if (c == 0) prefetch_next_panel(args, r * args.nblocks + i, count * args.nblocks);
                const typename T::SuperBlock& p = panels[r * args.nblocks + i];
                __m512i pairs[kRuns], min_pairs[kRuns / 2];
                T::scales(p, pairs, min_pairs);
                const __m512 yd = _mm512_set1_ps(a[i].d);
                const auto* quads = reinterpret_cast<const int32_t*>(a[i].quants);
                if constexpr (kQ6) {
                    __m512i offset = _mm512_setzero_si512();
                    const auto* bsum_pairs = reinterpret_cast<const int32_t*>(a[i].bsums);  // run k's two sub-blocks
                    for (int k = 0; k < kRuns; ++k) offset = _mm512_dpwssd_epi32(offset, pairs[k], _mm512_set1_epi32(bsum_pairs[k]));
                    const __m512i sums = _mm512_sub_epi32(direct_sums<T>(p, quads, pairs), _mm512_slli_epi32(offset, 5));
                    total = _mm512_add_ps(total, _mm512_mul_ps(_mm512_mul_ps(halves16(p.d), yd), _mm512_cvtepi32_ps(sums)));
                } else {
                    const __m512i sums = direct_sums<T>(p, quads, pairs);
                    total = _mm512_add_ps(total, _mm512_mul_ps(_mm512_mul_ps(halves16(p.d), yd), _mm512_cvtepi32_ps(sums)));
                    const auto* bsums = reinterpret_cast<const int32_t*>(a[i].bsum_pairs);
                    __m512i min_sum = _mm512_setzero_si512();
                    for (int t = 0; t < kRuns / 2; ++t) min_sum = _mm512_dpwssd_epi32(min_sum, min_pairs[t], _mm512_set1_epi32(bsums[t]));
                    total = _mm512_sub_ps(total, _mm512_mul_ps(_mm512_mul_ps(T::dmin(p), yd), _mm512_cvtepi32_ps(min_sum)));
                }
            }
            _mm512_storeu_ps(args.out + c * args.out_stride + r * kGemmPanelRows, total);
        }
    }
}

// A call's kBlockwisePanels panels 6 activation rows at a time (12 sums, 8 loads per 12 vpdpbusd:
// llama-1b Q5_K_M pp512 400 -> 470 t/s on 2 threads against one panel 8 rows at a time, which loads
// once per vpdpbusd), or the weight's last single panel.
template <class T>
HEARTH_AVX512 void gemm(const GemmArgs& args) {
    if (args.panel == nullptr) direct<T>(args);
    else if (args.weight_rows == kBlockwisePanels * kGemmPanelRows) gemm_panels<T, kBlockwisePanels, 6>(args);
    else gemm_panels<T, 1, 8>(args);
}

}  // namespace

// A gate panel and its up panel, their SwiGLU stored (PanelKernel::blockwise_swiglu).
template <class T>
HEARTH_AVX512 void gemm_swiglu(const GemmArgs& args) {
    gemm_panels<T, 2, 6, true>(args);
}

void add_avx512_k_blockwise_kernels(PerWeightType<PanelKernel>& kernels) {
    kernels.q4_k.blockwise = gemm<Q45Panel<false>>;
    kernels.q5_k.blockwise = gemm<Q45Panel<true>>;
    kernels.q6_k.blockwise = gemm<Q6Panel>;
    kernels.q6_k.blockwise_batch_form = KActForm::paired_plus128;
    kernels.q4_k.blockwise_swiglu = gemm_swiglu<Q45Panel<false>>;
    kernels.q5_k.blockwise_swiglu = gemm_swiglu<Q45Panel<true>>;
    kernels.q6_k.blockwise_swiglu = gemm_swiglu<Q6Panel>;
}

}  // namespace hearth::cpu
