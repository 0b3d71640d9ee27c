// AVX2 activation quantizers, byte-identical to core/quant (quant_legacy.cpp quantize_q8_block,
// quant_k_quantize.cpp quantize(BlockQ8_K)): the same float operations element by element, the maximum
// taken with NaN ignored as std::max / the reference's comparisons ignore it, and exact integer sums.
// Q8_0 / Q8_1 rows go 8 blocks at a time, which share the per-block reductions and scale arithmetic
// (576 floats 328 -> 176 ns, 1536: 891 -> 437 hot, Zen 4).
// Target attributes per function: see dot_avx2.cpp.
#include <cstring>
#include <type_traits>

#include "backends/cpu/kernels/act_quant.h"
#include "backends/cpu/kernels/avx2_blocks.h"
#include "core/quant/blocks.h"

namespace hearth::cpu {
namespace {

HEARTH_AVX2 inline __m256 abs_ps(__m256 v) {
    return _mm256_and_ps(v, _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF)));
}

// max(acc, |v|) per lane; a NaN |v| leaves acc (maxps returns its second operand on NaN), as the
// reference's comparisons never pick a NaN.
HEARTH_AVX2 inline __m256 max_abs(__m256 acc, __m256 v) { return _mm256_max_ps(abs_ps(v), acc); }

HEARTH_AVX2 inline float max_lane(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

HEARTH_AVX2 inline int sum_lanes(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(s);
}

// The low bytes of 4 x 8 int32 in element order, truncated as static_cast<int8_t> does.
HEARTH_AVX2 inline __m256i pack_low_bytes(__m256i a, __m256i b, __m256i c, __m256i d) {
    const __m256i low = _mm256_set1_epi32(0xFF);
    const __m256i ab = _mm256_packus_epi32(_mm256_and_si256(a, low), _mm256_and_si256(b, low));
    const __m256i cd = _mm256_packus_epi32(_mm256_and_si256(c, low), _mm256_and_si256(d, low));
    // packus works per 128-bit half: dwords come out as a0-3 b0-3 c0-3 d0-3 a4-7 b4-7 c4-7 d4-7.
    return _mm256_permutevar8x32_epi32(_mm256_packus_epi16(ab, cd), _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

// std::round of the clamped v = min(127, max(-128, x)), halves away from zero: the fraction v - trunc(v)
// is exact, so comparing it with 0.5 decides the rounding exactly. NaN clamps to -128 as the reference.
HEARTH_AVX2 inline __m256i round_clamped(__m256 x) {
    const __m256 v = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-128.0f)), _mm256_set1_ps(127.0f));
    const __m256 whole = _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    const __m256 away = _mm256_cmp_ps(abs_ps(_mm256_sub_ps(v, whole)), _mm256_set1_ps(0.5f), _CMP_GE_OQ);
    const __m256 sign = _mm256_and_ps(v, _mm256_castsi256_ps(_mm256_set1_epi32(static_cast<int>(0x80000000u))));
    const __m256 step = _mm256_and_ps(away, _mm256_or_ps(_mm256_set1_ps(1.0f), sign));
    return _mm256_cvttps_epi32(_mm256_add_ps(whole, step));
}

struct Q8Block {
    float d;  // the float scale before its fp16 rounding
    int sum;  // sum of the quants
};

// One Q8_0 / Q8_1 block: amax / 127, quants round(x * id), as quantize_q8_block.
HEARTH_AVX2 inline Q8Block quantize_q8_block(const float* x, uint16_t& d_out, int8_t* qs) {
    __m256 v[4];
    __m256 amax = _mm256_setzero_ps();
    for (int k = 0; k < 4; ++k) {
        v[k] = _mm256_loadu_ps(x + 8 * k);
        amax = max_abs(amax, v[k]);
    }
    const float d = max_lane(amax) / 127;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    d_out = _cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT);  // round to nearest even, as f32_to_fp16
    __m256i q[4];
    for (int k = 0; k < 4; ++k) q[k] = round_clamped(_mm256_mul_ps(v[k], _mm256_set1_ps(id)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(qs), pack_low_bytes(q[0], q[1], q[2], q[3]));
    return {d, sum_lanes(_mm256_add_epi32(_mm256_add_epi32(q[0], q[1]), _mm256_add_epi32(q[2], q[3])))};
}

struct MaxOp {
    HEARTH_AVX2 __m256 operator()(__m256 a, __m256 b) const { return _mm256_max_ps(a, b); }
};
struct AddInt32Op {  // int32 lanes carried in float vectors
    HEARTH_AVX2 __m256 operator()(__m256 a, __m256 b) const {
        return _mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(a), _mm256_castps_si256(b)));
    }
};

// Per-block reductions of 8 blocks at once: lane b of the result combines the 8 lanes of v[b] (op is
// associative and commutative on these values: a maximum without NaN, or an integer sum). Three
// halving steps, each combining two vectors (128-bit halves, then pairs, then single lanes); the
// result holds block 2k + h at lane 4h + k until the last permute.
template <class Op>
HEARTH_AVX2 inline __m256 reduce_8_blocks(__m256* v, Op op) {
    for (int i = 0; i < 4; ++i)  // low half: block 2i, high half: block 2i + 1, 4 partials each
        v[i] = op(_mm256_permute2f128_ps(v[2 * i], v[2 * i + 1], 0x20), _mm256_permute2f128_ps(v[2 * i], v[2 * i + 1], 0x31));
    for (int i = 0; i < 2; ++i)  // low half: blocks 4i and 4i + 2, high half: 4i + 1 and 4i + 3, 2 partials each
        v[i] = op(_mm256_shuffle_ps(v[2 * i], v[2 * i + 1], _MM_SHUFFLE(1, 0, 1, 0)),
                  _mm256_shuffle_ps(v[2 * i], v[2 * i + 1], _MM_SHUFFLE(3, 2, 3, 2)));
    const __m256 lanes = op(_mm256_shuffle_ps(v[0], v[1], _MM_SHUFFLE(2, 0, 2, 0)), _mm256_shuffle_ps(v[0], v[1], _MM_SHUFFLE(3, 1, 3, 1)));
    return _mm256_permutevar8x32_ps(lanes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

// 8 consecutive Q8_0 / Q8_1 blocks: the scales of all 8 in one vector (each lane the one-block steps
// of quantize_q8_block), then each block's quants; d, and for Q8_1 s, as it writes them.
template <class Block>
HEARTH_AVX2 void quantize_8_blocks(const float* x, Block* y) {
    __m256 v[8];
    for (int b = 0; b < 8; ++b) {
        v[b] = _mm256_setzero_ps();
        for (int k = 0; k < 4; ++k) v[b] = max_abs(v[b], _mm256_loadu_ps(x + kQK * b + 8 * k));
    }
    const __m256 d = _mm256_div_ps(reduce_8_blocks(v, MaxOp{}), _mm256_set1_ps(127.0f));
    const __m256 nonzero = _mm256_cmp_ps(d, _mm256_setzero_ps(), _CMP_NEQ_OQ);
    const __m256 id = _mm256_and_ps(nonzero, _mm256_div_ps(_mm256_set1_ps(1.0f), d));
    alignas(32) float ids[8];
    alignas(16) uint16_t ds[8];
    _mm256_store_ps(ids, id);
    _mm_store_si128(reinterpret_cast<__m128i*>(ds), _mm256_cvtps_ph(d, _MM_FROUND_TO_NEAREST_INT));
    for (int b = 0; b < 8; ++b) {
        const __m256 scale = _mm256_set1_ps(ids[b]);
        __m256i q[4];
        for (int k = 0; k < 4; ++k) q[k] = round_clamped(_mm256_mul_ps(_mm256_loadu_ps(x + kQK * b + 8 * k), scale));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(y[b].qs), pack_low_bytes(q[0], q[1], q[2], q[3]));
        v[b] = _mm256_castsi256_ps(_mm256_add_epi32(_mm256_add_epi32(q[0], q[1]), _mm256_add_epi32(q[2], q[3])));
        y[b].d = ds[b];
    }
    if constexpr (std::is_same_v<Block, BlockQ8_1>) {
        const __m256i sums = _mm256_castps_si256(reduce_8_blocks(v, AddInt32Op{}));
        alignas(16) uint16_t ss[8];
        _mm_store_si128(reinterpret_cast<__m128i*>(ss), _mm256_cvtps_ph(_mm256_mul_ps(_mm256_cvtepi32_ps(sums), d), _MM_FROUND_TO_NEAREST_INT));
        for (int b = 0; b < 8; ++b) y[b].s = ss[b];
    }
}

HEARTH_AVX2 void quantize_q8_0(const float* src, void* dst, int64_t n) {
    auto* y = static_cast<BlockQ8_0*>(dst);
    int64_t i = 0;
    for (; i + 8 <= n / kQK; i += 8) quantize_8_blocks(src + i * kQK, y + i);
    for (; i < n / kQK; ++i) quantize_q8_block(src + i * kQK, y[i].d, y[i].qs);
}

// s = fp16(sum * d) with the float d, as quantize_row_q8_1_ref.
HEARTH_AVX2 void quantize_q8_1(const float* src, void* dst, int64_t n) {
    auto* y = static_cast<BlockQ8_1*>(dst);
    int64_t i = 0;
    for (; i + 8 <= n / kQK; i += 8) quantize_8_blocks(src + i * kQK, y + i);
    for (; i < n / kQK; ++i) {
        const Q8Block b = quantize_q8_block(src + i * kQK, y[i].d, y[i].qs);
        y[i].s = _cvtss_sh(static_cast<float>(b.sum) * b.d, _MM_FROUND_TO_NEAREST_INT);
    }
}

constexpr int kKVectors = kQK_K / 8;

// The first element whose magnitude equals amax, sign kept: the element the reference's strict
// "greater than" scan settles on.
HEARTH_AVX2 inline float first_with_magnitude(const __m256* v, float amax) {
    const __m256 target = _mm256_set1_ps(amax);
    for (int k = 0; k < kKVectors; ++k) {
        const int mask = _mm256_movemask_ps(_mm256_cmp_ps(abs_ps(v[k]), target, _CMP_EQ_OQ));
        if (mask != 0) {
            alignas(32) float lanes[8];
            _mm256_store_ps(lanes, v[k]);
            return lanes[__builtin_ctz(static_cast<unsigned>(mask))];
        }
    }
    return amax;  // unreachable: amax is one of the magnitudes
}

// ggml's nearest_int (the 1.5 * 2^23 trick) then min(127, .), lane by lane.
HEARTH_AVX2 inline __m256i nearest_int_min127(__m256 v) {
    const __m256i bits = _mm256_castps_si256(_mm256_add_ps(v, _mm256_set1_ps(12582912.f)));
    const __m256i i = _mm256_sub_epi32(_mm256_and_si256(bits, _mm256_set1_epi32(0x007FFFFF)), _mm256_set1_epi32(0x00400000));
    return _mm256_min_epi32(i, _mm256_set1_epi32(127));
}

// bsums of 32 quants (two runs of 16) per vector, for 4 vectors: [a0 a1 b0 b1 c0 c1 d0 d1] as int32.
HEARTH_AVX2 inline __m256i run_sums(const __m256i* q) {
    __m256i quads[4];
    for (int k = 0; k < 4; ++k)
        quads[k] = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(1), q[k]), _mm256_set1_epi16(1));
    const __m256i sums = _mm256_hadd_epi32(_mm256_hadd_epi32(quads[0], quads[1]), _mm256_hadd_epi32(quads[2], quads[3]));
    // sums: a0 b0 c0 d0 | a1 b1 c1 d1 (index 1: the second run of 16 of each vector).
    return _mm256_permutevar8x32_epi32(sums, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

HEARTH_AVX2 void quantize_q8_k_block(const float* x, BlockQ8_K& y) {
    __m256 v[kKVectors];
    __m256 amax_lanes = _mm256_setzero_ps();
    for (int k = 0; k < kKVectors; ++k) {
        v[k] = _mm256_loadu_ps(x + 8 * k);
        amax_lanes = max_abs(amax_lanes, v[k]);
    }
    const float amax = max_lane(amax_lanes);
    if (amax == 0.0f) {
        std::memset(&y, 0, sizeof(BlockQ8_K));
        return;
    }
    const float iscale = -127.f / first_with_magnitude(v, amax);
    __m256i bytes[kKVectors / 4];
    for (int k = 0; k < kKVectors / 4; ++k) {
        __m256i q[4];
        for (int j = 0; j < 4; ++j) q[j] = nearest_int_min127(_mm256_mul_ps(_mm256_set1_ps(iscale), v[4 * k + j]));
        bytes[k] = pack_low_bytes(q[0], q[1], q[2], q[3]);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(y.qs + 32 * k), bytes[k]);
    }
    const __m256i sums = _mm256_packs_epi32(run_sums(bytes), run_sums(bytes + 4));  // |sum| <= 2048
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(y.bsums), _mm256_permute4x64_epi64(sums, _MM_SHUFFLE(3, 1, 2, 0)));
    y.d = 1 / iscale;
}

HEARTH_AVX2 void quantize_q8_k(const float* src, void* dst, int64_t n) {
    auto* y = static_cast<BlockQ8_K*>(dst);
    for (int64_t i = 0; i < n / kQK_K; ++i) quantize_q8_k_block(src + i * kQK_K, y[i]);
}

}  // namespace

ActQuantizers avx2_act_quantizers() { return {quantize_q8_0, quantize_q8_1, quantize_q8_k}; }

}  // namespace hearth::cpu
