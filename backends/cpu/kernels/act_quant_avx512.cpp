// AVX-512 quantizers of activation rows to Q8_0 and Q8_1, byte-identical to core/quant (as the AVX2
// ones, act_quant_avx2.cpp, whose steps these repeat a block of 32 in two registers instead of four):
// in a prompt every matmul input is quantized, 6% of SmolLM2's prompt time with the AVX2 forms, and
// in decode each matmul waits for its input's. Runs of 16 blocks share their per-block reductions
// (maximum, quant sum) and scale arithmetic: SmolLM2's rows of 576 / 1536 floats 307 -> 163 ns /
// 829 -> 358 ns hot (Zen 4).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <type_traits>

#include "backends/cpu/kernels/act_quant.h"
#include "backends/cpu/kernels/avx512_blocks.h"
#include "core/quant/blocks.h"

namespace hearth::cpu {
namespace {

HEARTH_AVX512 inline __m512 abs_ps(__m512 v) {
    return _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(v), _mm512_set1_epi32(0x7FFFFFFF)));
}

// std::round of the clamped v = min(127, max(-128, x)), halves away from zero (the fraction
// v - trunc(v) is exact); NaN clamps to -128 as in the reference (maxps returns its second operand).
HEARTH_AVX512 inline __m512i round_clamped(__m512 x) {
    const __m512 v = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-128.0f)), _mm512_set1_ps(127.0f));
    const __m512 whole = _mm512_roundscale_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    const __mmask16 away = _mm512_cmp_ps_mask(abs_ps(_mm512_sub_ps(v, whole)), _mm512_set1_ps(0.5f), _CMP_GE_OQ);
    const __m512i sign = _mm512_and_si512(_mm512_castps_si512(v), _mm512_set1_epi32(static_cast<int>(0x80000000u)));
    const __m512 step = _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(_mm512_set1_ps(1.0f)), sign));  // +-1 as v
    return _mm512_cvttps_epi32(_mm512_mask_add_ps(whole, away, whole, step));
}

struct Q8Block {
    float d;  // the float scale before its fp16 rounding
    int sum;  // sum of the quants
};

// One Q8_0 / Q8_1 block: amax / 127 (a NaN never becomes the maximum), quants round(x * id), stored
// as their low bytes (static_cast<int8_t>).
HEARTH_AVX512 inline Q8Block quantize_q8_block(const float* x, uint16_t& d_out, int8_t* qs) {
    const __m512 lo = _mm512_loadu_ps(x), hi = _mm512_loadu_ps(x + 16);
    const __m512 amax = _mm512_max_ps(abs_ps(hi), _mm512_max_ps(abs_ps(lo), _mm512_setzero_ps()));
    const float d = _mm512_reduce_max_ps(amax) / 127;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    d_out = _cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT);  // round to nearest even, as f32_to_fp16
    const __m512i q_lo = round_clamped(_mm512_mul_ps(lo, _mm512_set1_ps(id)));
    const __m512i q_hi = round_clamped(_mm512_mul_ps(hi, _mm512_set1_ps(id)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(qs), _mm512_cvtepi32_epi8(q_lo));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(qs + 16), _mm512_cvtepi32_epi8(q_hi));
    return {d, _mm512_reduce_add_epi32(_mm512_add_epi32(q_lo, q_hi))};
}

struct MaxOp {
    HEARTH_AVX512 __m512 operator()(__m512 a, __m512 b) const { return _mm512_max_ps(a, b); }
};
struct AddInt32Op {  // int32 lanes carried in float vectors
    HEARTH_AVX512 __m512 operator()(__m512 a, __m512 b) const {
        return _mm512_castsi512_ps(_mm512_add_epi32(_mm512_castps_si512(a), _mm512_castps_si512(b)));
    }
};

// Per-block reductions of 16 blocks at once: lane b of the result combines the 16 lanes of v[b]
// (op is associative and commutative on these values: a maximum without NaN, or an integer sum).
// Four halving steps, each combining two vectors: 128-bit chunks, then the chunks' halves and
// quarters; the result holds block 4k + c at lane 4c + k until the last permute. The one-block
// reductions (_mm512_reduce_*) cost about as much per block as this does per 16.
template <class Op>
HEARTH_AVX512 inline __m512 reduce_16_blocks(__m512* v, Op op) {
    for (int i = 0; i < 8; ++i)  // chunk 0 and 1 of v[2i], then of v[2i + 1]: each a half's partials
        v[i] = op(_mm512_shuffle_f32x4(v[2 * i], v[2 * i + 1], _MM_SHUFFLE(1, 0, 1, 0)),
                  _mm512_shuffle_f32x4(v[2 * i], v[2 * i + 1], _MM_SHUFFLE(3, 2, 3, 2)));
    for (int i = 0; i < 4; ++i)  // chunk c: block 4i + c, 4 partials
        v[i] = op(_mm512_shuffle_f32x4(v[2 * i], v[2 * i + 1], _MM_SHUFFLE(2, 0, 2, 0)),
                  _mm512_shuffle_f32x4(v[2 * i], v[2 * i + 1], _MM_SHUFFLE(3, 1, 3, 1)));
    for (int i = 0; i < 2; ++i)  // chunk c: blocks 8i + c and 8i + 4 + c, 2 partials each
        v[i] = op(_mm512_shuffle_ps(v[2 * i], v[2 * i + 1], _MM_SHUFFLE(1, 0, 1, 0)),
                  _mm512_shuffle_ps(v[2 * i], v[2 * i + 1], _MM_SHUFFLE(3, 2, 3, 2)));
    const __m512 lanes = op(_mm512_shuffle_ps(v[0], v[1], _MM_SHUFFLE(2, 0, 2, 0)),
                            _mm512_shuffle_ps(v[0], v[1], _MM_SHUFFLE(3, 1, 3, 1)));
    const __m512i block_order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    return _mm512_permutexvar_ps(block_order, lanes);
}

// 16 consecutive Q8_0 / Q8_1 blocks: the scales of all 16 in one vector (each lane the one-block
// steps of quantize_q8_block), then each block's quants; d, and for Q8_1 s, as it writes them.
template <class Block>
HEARTH_AVX512 void quantize_16_blocks(const float* x, Block* y) {
    __m512 v[16];
    for (int b = 0; b < 16; ++b) {
        const __m512 lo = _mm512_loadu_ps(x + kQK * b), hi = _mm512_loadu_ps(x + kQK * b + 16);
        v[b] = _mm512_max_ps(abs_ps(hi), _mm512_max_ps(abs_ps(lo), _mm512_setzero_ps()));  // NaN dropped
    }
    const __m512 amax = reduce_16_blocks(v, MaxOp{});
    const __m512 d = _mm512_div_ps(amax, _mm512_set1_ps(127.0f));
    const __m512 id = _mm512_maskz_div_ps(_mm512_cmp_ps_mask(d, _mm512_setzero_ps(), _CMP_NEQ_OQ), _mm512_set1_ps(1.0f), d);
    alignas(64) float ids[16];
    alignas(32) uint16_t ds[16];
    _mm512_store_ps(ids, id);
    _mm256_store_si256(reinterpret_cast<__m256i*>(ds), _mm512_cvtps_ph(d, _MM_FROUND_TO_NEAREST_INT));
    for (int b = 0; b < 16; ++b) {
        const __m512 scale = _mm512_set1_ps(ids[b]);
        const __m512i q_lo = round_clamped(_mm512_mul_ps(_mm512_loadu_ps(x + kQK * b), scale));
        const __m512i q_hi = round_clamped(_mm512_mul_ps(_mm512_loadu_ps(x + kQK * b + 16), scale));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(y[b].qs), _mm512_cvtepi32_epi8(q_lo));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(y[b].qs + 16), _mm512_cvtepi32_epi8(q_hi));
        v[b] = _mm512_castsi512_ps(_mm512_add_epi32(q_lo, q_hi));
        y[b].d = ds[b];
    }
    if constexpr (std::is_same_v<Block, BlockQ8_1>) {
        const __m512i sums = _mm512_castps_si512(reduce_16_blocks(v, AddInt32Op{}));
        alignas(32) uint16_t ss[16];
        _mm256_store_si256(reinterpret_cast<__m256i*>(ss),
                           _mm512_cvtps_ph(_mm512_mul_ps(_mm512_cvtepi32_ps(sums), d), _MM_FROUND_TO_NEAREST_INT));
        for (int b = 0; b < 16; ++b) y[b].s = ss[b];
    }
}

HEARTH_AVX512 void quantize_q8_0(const float* src, void* dst, int64_t n) {
    auto* y = static_cast<BlockQ8_0*>(dst);
    int64_t i = 0;
    for (; i + 16 <= n / kQK; i += 16) quantize_16_blocks(src + i * kQK, y + i);
    for (; i < n / kQK; ++i) quantize_q8_block(src + i * kQK, y[i].d, y[i].qs);
}

// s = fp16(sum * d) with the float d, as quantize_row_q8_1_ref.
HEARTH_AVX512 void quantize_q8_1(const float* src, void* dst, int64_t n) {
    auto* y = static_cast<BlockQ8_1*>(dst);
    int64_t i = 0;
    for (; i + 16 <= n / kQK; i += 16) quantize_16_blocks(src + i * kQK, y + i);
    for (; i < n / kQK; ++i) {
        const Q8Block b = quantize_q8_block(src + i * kQK, y[i].d, y[i].qs);
        y[i].s = _cvtss_sh(static_cast<float>(b.sum) * b.d, _MM_FROUND_TO_NEAREST_INT);
    }
}

}  // namespace

void add_avx512_act_quantizers(ActQuantizers& quantizers) {
    quantizers.q8_0 = quantize_q8_0;
    quantizers.q8_1 = quantize_q8_1;
}

}  // namespace hearth::cpu
