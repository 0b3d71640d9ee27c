// AVX2 step of flash attention (flash_attention.h), as the AVX-512 one with 8 lanes: the tile's keys
// are widened once for all query vectors, each query's dots for 8 keys are 8 vectors of partial sums
// folded into one vector of 8 scores by horizontal adds, and P.V keeps the query vectors' sums in
// registers while each value block is widened once for all of them.
#include <immintrin.h>

#include <algorithm>
#include <limits>

#include "backends/cpu/kernels/fast_math.h"
#include "backends/cpu/kernels/flash_attention.h"
#include "core/quant/blocks.h"

#define HEARTH_AVX2_FMA __attribute__((target("avx2,fma,f16c")))

namespace hearth::cpu {
namespace {

static_assert(kFlashTileKeys == 16, "two score vectors per query vector and tile");
// Query vectors per group: with 16 vector registers, the dots and scores of more than four spill
// (eight: 20% slower per head and key).
constexpr int kGroupQueries = 4;
static_assert(kFlashDimStep % 8 == 0, "head widths in whole 8-float vectors");

// Values [d, d + 8) of a row as floats, as dequantize_row gives them.
template <DType Rows>
HEARTH_AVX2_FMA inline __m256 widen8(const uint8_t* row, int64_t d) {
    if constexpr (Rows == DType::F16) {
        return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row + 2 * d)));
    } else {
        const BlockQ8_0& block = reinterpret_cast<const BlockQ8_0*>(row)[d / kQK];
        const __m128i quants = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(block.qs + d % kQK));
        return _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(quants)), _mm256_set1_ps(_cvtsh_ss(block.d)));
    }
}

// 2^e for integer lanes e in [-126, 127].
HEARTH_AVX2_FMA inline __m256 power_of_two(__m256i e) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(e, _mm256_set1_epi32(127)), 23));
}

// e^x as exp_vector of fast_math_avx512.h: x clamped to [-104, 89], x = k ln2 + r, e^r by its Taylor
// polynomial to degree 7, then 2^k applied as two factors 2^(k/2) and 2^(k - k/2), each a normal
// float, so that results below float's normal range round to subnormals or 0 instead of wrapping.
HEARTH_AVX2_FMA inline __m256 exp8(__m256 x) {
    x = _mm256_min_ps(_mm256_set1_ps(89.0f), _mm256_max_ps(_mm256_set1_ps(-104.0f), x));
    const __m256 k = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(k, _mm256_set1_ps(0.693145751953125f), x);
    r = _mm256_fnmadd_ps(k, _mm256_set1_ps(1.428606765330187e-6f), r);
    __m256 p = _mm256_set1_ps(1.0f / 5040.0f);
    for (const float c : {1.0f / 720.0f, 1.0f / 120.0f, 1.0f / 24.0f, 1.0f / 6.0f, 0.5f, 1.0f, 1.0f}) p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(c));
    const __m256i ki = _mm256_cvtps_epi32(k);
    const __m256i half = _mm256_srai_epi32(ki, 1);
    return _mm256_mul_ps(_mm256_mul_ps(p, power_of_two(half)), power_of_two(_mm256_sub_epi32(ki, half)));
}

HEARTH_AVX2_FMA inline float max8(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    return _mm_cvtss_f32(_mm_max_ss(m, _mm_movehdup_ps(m)));
}

HEARTH_AVX2_FMA inline float sum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
}

// Lanes j of the result: the sum of the 8 lanes of part[j].
HEARTH_AVX2_FMA inline __m256 fold8(const __m256* part) {
    const __m256 h01 = _mm256_hadd_ps(part[0], part[1]), h23 = _mm256_hadd_ps(part[2], part[3]);
    const __m256 h45 = _mm256_hadd_ps(part[4], part[5]), h67 = _mm256_hadd_ps(part[6], part[7]);
    const __m256 low = _mm256_hadd_ps(h01, h23), high = _mm256_hadd_ps(h45, h67);  // halves of keys 0-3, 4-7
    return _mm256_add_ps(_mm256_permute2f128_ps(low, high, 0x20), _mm256_permute2f128_ps(low, high, 0x31));
}

// Scores of one query vector for keys [8 * half, 8 * half + 8) of the widened tile.
HEARTH_AVX2_FMA inline __m256 dots8(const float* q, const float* keys_wide, int64_t n, int half) {
    __m256 part[8];
    for (int j = 0; j < 8; ++j) part[j] = _mm256_setzero_ps();
    for (int64_t d = 0; d < n; d += 8) {
        const __m256 qd = _mm256_loadu_ps(q + d);
        for (int j = 0; j < 8; ++j) part[j] = _mm256_fmadd_ps(qd, _mm256_load_ps(keys_wide + (8 * half + j) * n + d), part[j]);
    }
    return fold8(part);
}

// acc[i * n + d] = acc[i * n + d] * rescale[i] + sum over j of weights[i][j] * value_j[d] for d in
// [d0, d0 + 8 * C), the keys in order whatever Q and C (a query's bits do not depend on them).
template <DType Rows, int Q, int C>
HEARTH_AVX2_FMA void weigh_values(const float (*weights)[kFlashTileKeys], const float* rescale, const uint8_t* const* values,
                                  int n_keys, int64_t n, int64_t d0, float* acc) {
    __m256 sums[Q][C];
    for (int i = 0; i < Q; ++i)
        for (int c = 0; c < C; ++c) sums[i][c] = _mm256_mul_ps(_mm256_loadu_ps(acc + i * n + d0 + 8 * c), _mm256_set1_ps(rescale[i]));
    for (int j = 0; j < n_keys; ++j) {
        __m256 v[C];
        for (int c = 0; c < C; ++c) v[c] = widen8<Rows>(values[j], d0 + 8 * c);
        for (int i = 0; i < Q; ++i) {
            const __m256 w = _mm256_broadcast_ss(&weights[i][j]);
            for (int c = 0; c < C; ++c) sums[i][c] = _mm256_fmadd_ps(w, v[c], sums[i][c]);
        }
    }
    for (int i = 0; i < Q; ++i)
        for (int c = 0; c < C; ++c) _mm256_storeu_ps(acc + i * n + d0 + 8 * c, sums[i][c]);
}

// All n dimensions with at most 8 sums in registers (16 vector registers in all).
template <DType Rows, int Q>
HEARTH_AVX2_FMA void weigh_all_values(const float (*weights)[kFlashTileKeys], const float* rescale, const uint8_t* const* values,
                                      int n_keys, int64_t n, float* acc) {
    static_assert(Q <= 4, "two sums per query vector at least");
    constexpr int kChunks = Q <= 2 ? 4 : 2;
    int64_t d = 0;
    for (; d + 8 * kChunks <= n; d += 8 * kChunks) weigh_values<Rows, Q, kChunks>(weights, rescale, values, n_keys, n, d, acc);
    for (; d < n; d += 8) weigh_values<Rows, Q, 1>(weights, rescale, values, n_keys, n, d, acc);
}

// Q query vectors against the tile's widened keys, each phase for all of them before the next and
// no branch on the data (as the AVX-512 kernel): the queries' softmax chains overlap, and each
// query's arithmetic is the same whatever Q.
template <DType Rows, int Q>
HEARTH_AVX2_FMA void flash_group(const float* q, int64_t q_stride, const int32_t* visible, const float* keys_wide,
                                 const uint8_t* const* values, int n_keys, int64_t n, float scale, FlashGroup state) {
    const __m256 minus_inf = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    __m256 in_view[Q][2];
    __m256 scores[Q][2];
    for (int i = 0; i < Q; ++i) {
        const int seen = std::clamp(visible[i], 0, n_keys);
        for (int half = 0; half < 2; ++half) {
            in_view[i][half] = _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_set1_epi32(seen - 8 * half), lane));
            const __m256 s = _mm256_mul_ps(dots8(q + i * q_stride, keys_wide, n, half), _mm256_set1_ps(scale));
            scores[i][half] = _mm256_blendv_ps(minus_inf, s, in_view[i][half]);
        }
    }
    float new_max[Q];
    for (int i = 0; i < Q; ++i) new_max[i] = std::max(state.max[i], max8(_mm256_max_ps(scores[i][0], scores[i][1])));
    alignas(32) float weights[Q][kFlashTileKeys];
    float rescale[Q];
    for (int i = 0; i < Q; ++i) {
        // A query that sees none of the tile keeps its state: no weights, a rescale of 1.
        __m256 total = _mm256_setzero_ps();
        for (int half = 0; half < 2; ++half) {
            const __m256 e = _mm256_and_ps(in_view[i][half], exp8(_mm256_sub_ps(scores[i][half], _mm256_set1_ps(new_max[i]))));
            _mm256_store_ps(weights[i] + 8 * half, e);
            total = _mm256_add_ps(total, e);
        }
        // e^(old max - new max); 0 before the first key (exp8 takes -inf to 0), 1 when unchanged.
        const float grown = _mm256_cvtss_f32(exp8(_mm256_set1_ps(state.max[i] - new_max[i])));
        rescale[i] = flash_take_tile(state, i, new_max[i], grown, sum8(total));
    }
    weigh_all_values<Rows, Q>(weights, rescale, values, n_keys, n, state.acc);
}

template <DType Rows>
HEARTH_AVX2_FMA void flash_tile_avx2(const float* q, int64_t q_stride, int queries, const int32_t* visible,
                                     const uint8_t* const* keys, const uint8_t* const* values, int n_keys, int64_t n,
                                     float scale, FlashState& state) {
    alignas(32) float keys_wide[kFlashTileKeys * kFlashMaxDim];  // widened once for all groups
    for (int j = 0; j < kFlashTileKeys; ++j)
        for (int64_t d = 0; d < n; d += 8)
            _mm256_store_ps(keys_wide + j * n + d, j < n_keys ? widen8<Rows>(keys[j], d) : _mm256_setzero_ps());
    for (int first = 0; first < queries; first += kGroupQueries) {
        const int count = std::min(kGroupQueries, queries - first);
        if (*std::max_element(visible + first, visible + first + count) <= 0) continue;  // nothing to see
        const float* group_q = q + first * q_stride;
        const FlashGroup group = flash_group_of(state, first, n);
        switch (count) {
            case 1: flash_group<Rows, 1>(group_q, q_stride, visible + first, keys_wide, values, n_keys, n, scale, group); break;
            case 2: flash_group<Rows, 2>(group_q, q_stride, visible + first, keys_wide, values, n_keys, n, scale, group); break;
            case 3: flash_group<Rows, 3>(group_q, q_stride, visible + first, keys_wide, values, n_keys, n, scale, group); break;
            default: flash_group<Rows, kGroupQueries>(group_q, q_stride, visible + first, keys_wide, values, n_keys, n, scale, group); break;
        }
    }
}

}  // namespace

FlashTileKernel avx2_flash_tile(DType rows) {
    if (rows == DType::F16) return flash_tile_avx2<DType::F16>;
    return rows == DType::Q8_0 ? flash_tile_avx2<DType::Q8_0> : nullptr;
}

}  // namespace hearth::cpu
