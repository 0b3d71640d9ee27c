// AVX-512 step of flash attention (flash_attention.h). The tile's keys are widened to float once for
// all query vectors; each query's 16 key dots are 16 vectors of partial sums (one FMA per 16
// dimensions) folded into one vector of 16 scores by a shuffle tree, the online softmax works on that
// vector, and P.V keeps the query vectors' sums for 16 dimensions in registers while each value row
// is widened once for all of them.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <algorithm>
#include <limits>

#include "backends/cpu/kernels/fast_math.h"
#include "backends/cpu/kernels/fast_math_avx512.h"
#include "backends/cpu/kernels/flash_attention.h"
#include "core/quant/blocks.h"

namespace hearth::cpu {
namespace {

static_assert(kFlashTileKeys == 16, "one score vector per query vector and tile");
static_assert(kFlashGroupQueries == 8, "flash_tile_avx512 has a case for each group size");
// Calls with at most this many query vectors (a decode row's KV group) widen keys in registers.
constexpr int kDirectQueries = 4;

// Values [d, d + 16) of a row as floats, as dequantize_row gives them.
template <DType Rows>
HEARTH_AVX512_F inline __m512 widen16(const uint8_t* row, int64_t d) {
    if constexpr (Rows == DType::F16) {
        return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + 2 * d)));
    } else {
        const BlockQ8_0& block = reinterpret_cast<const BlockQ8_0*>(row)[d / kQK];
        const __m128i quants = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block.qs + d % kQK));
        return _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(quants)), _mm512_set1_ps(_cvtsh_ss(block.d)));
    }
}

// Lanes j of the result: the sum of the 16 lanes of part[j].
HEARTH_AVX512_F inline __m512 fold16(const __m512* part) {
    __m512 pairs[8];  // per 128-bit lane: two partial sums of each of two keys
    for (int m = 0; m < 8; ++m)
        pairs[m] = _mm512_add_ps(_mm512_unpacklo_ps(part[2 * m], part[2 * m + 1]), _mm512_unpackhi_ps(part[2 * m], part[2 * m + 1]));
    __m512 quads[4];  // per 128-bit lane: one partial sum of each of four keys
    for (int m = 0; m < 4; ++m) {
        const __m512d a = _mm512_castps_pd(pairs[2 * m]), b = _mm512_castps_pd(pairs[2 * m + 1]);
        quads[m] = _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(a, b)), _mm512_castpd_ps(_mm512_unpackhi_pd(a, b)));
    }
    __m512 halves[2];  // 128-bit lanes: keys 4m..4m+3 twice, then the next four twice
    for (int m = 0; m < 2; ++m)
        halves[m] = _mm512_add_ps(_mm512_shuffle_f32x4(quads[2 * m], quads[2 * m + 1], 0x88),
                                  _mm512_shuffle_f32x4(quads[2 * m], quads[2 * m + 1], 0xDD));
    return _mm512_add_ps(_mm512_shuffle_f32x4(halves[0], halves[1], 0x88), _mm512_shuffle_f32x4(halves[0], halves[1], 0xDD));
}

// acc[i * n + d] = acc[i * n + d] * rescale[i] + sum over j of weights[i][j] * value_j[d] for d in
// [d0, d0 + 16 * C): Q x C sums in registers, C independent chains per query vector so that few
// query vectors still keep the FMA units busy; every value block is widened once for all of them.
// Each sum adds the keys in order whatever Q and C, so a query's bits do not depend on them.
template <DType Rows, int Q, int C>
HEARTH_AVX512_F void weigh_values(const float (*weights)[kFlashTileKeys], const float* rescale, const uint8_t* const* values,
                                  int n_keys, int64_t n, int64_t d0, float* acc) {
    __m512 sums[Q][C];
    for (int i = 0; i < Q; ++i)
        for (int c = 0; c < C; ++c) sums[i][c] = _mm512_mul_ps(_mm512_loadu_ps(acc + i * n + d0 + 16 * c), _mm512_set1_ps(rescale[i]));
    for (int j = 0; j < n_keys; ++j) {
        __m512 v[C];
        for (int c = 0; c < C; ++c) v[c] = widen16<Rows>(values[j], d0 + 16 * c);
        for (int i = 0; i < Q; ++i) {
            const __m512 w = _mm512_set1_ps(weights[i][j]);
            for (int c = 0; c < C; ++c) sums[i][c] = _mm512_fmadd_ps(w, v[c], sums[i][c]);
        }
    }
    for (int i = 0; i < Q; ++i)
        for (int c = 0; c < C; ++c) _mm512_storeu_ps(acc + i * n + d0 + 16 * c, sums[i][c]);
}

// All n dimensions, 64 at a time while Q <= 4 (up to 16 sums in registers), else 32.
template <DType Rows, int Q>
HEARTH_AVX512_F void weigh_all_values(const float (*weights)[kFlashTileKeys], const float* rescale, const uint8_t* const* values,
                                      int n_keys, int64_t n, float* acc) {
    constexpr int kChunks = Q <= 4 ? 4 : 2;
    int64_t d = 0;
    for (; d + 16 * kChunks <= n; d += 16 * kChunks) weigh_values<Rows, Q, kChunks>(weights, rescale, values, n_keys, n, d, acc);
    for (; d < n; d += 16) weigh_values<Rows, Q, 1>(weights, rescale, values, n_keys, n, d, acc);
}

// Q query vectors against the tile's widened keys. Each phase runs for all of them before the next
// one starts and no branch depends on the data, so the queries' softmax chains (fold, maximum,
// e^x, sum: mostly latency) overlap instead of running one after another; each query's arithmetic
// is the same whatever Q.
// Q query vectors' 16 key dots from the tile's widened keys: part[j] sums q . key_j lane-wise over
// the dimension blocks in order, then fold16.
template <int Q>
HEARTH_AVX512_F void dots_from_wide(const float* q, int64_t q_stride, const float* keys_wide, int64_t n, __m512* dots) {
    for (int i = 0; i < Q; ++i) {
        __m512 part[kFlashTileKeys];
        for (int j = 0; j < kFlashTileKeys; ++j) part[j] = _mm512_setzero_ps();
        for (int64_t d = 0; d < n; d += 16) {
            const __m512 qd = _mm512_loadu_ps(q + i * q_stride + d);
            const float* block = keys_wide + d * kFlashTileKeys;
            for (int j = 0; j < kFlashTileKeys; ++j) part[j] = _mm512_fmadd_ps(qd, _mm512_load_ps(block + 16 * j), part[j]);
        }
        dots[i] = fold16(part);
    }
}

// The same dots (the same FMAs in the same order) with each key widened in registers as the dots use
// it, 8 keys at a time (4 for 4 query vectors, so that the Q x keys sums stay in registers): for the
// few query vectors of a decode row this skips storing and reloading the widened tile.
template <DType Rows, int Q>
HEARTH_AVX512_F void dots_from_rows(const float* q, int64_t q_stride, const uint8_t* const* keys, int n_keys, int64_t n,
                                    __m512* dots) {
    constexpr int kPass = Q <= 3 ? 8 : 4;  // keys per pass
    alignas(64) __m512 part[Q][kFlashTileKeys];
    for (int h = 0; h < kFlashTileKeys / kPass; ++h) {
        __m512 sums[Q][kPass];
        for (int i = 0; i < Q; ++i)
            for (int j = 0; j < kPass; ++j) sums[i][j] = _mm512_setzero_ps();
        for (int64_t d = 0; d < n; d += 16) {
            __m512 qd[Q];
            for (int i = 0; i < Q; ++i) qd[i] = _mm512_loadu_ps(q + i * q_stride + d);
            for (int j = 0; j < kPass; ++j) {
                const int key = h * kPass + j;
                const __m512 k = key < n_keys ? widen16<Rows>(keys[key], d) : _mm512_setzero_ps();
                for (int i = 0; i < Q; ++i) sums[i][j] = _mm512_fmadd_ps(qd[i], k, sums[i][j]);
            }
        }
        for (int i = 0; i < Q; ++i)
            for (int j = 0; j < kPass; ++j) part[i][h * kPass + j] = sums[i][j];
    }
    for (int i = 0; i < Q; ++i) dots[i] = fold16(part[i]);
}

template <DType Rows, int Q>
HEARTH_AVX512_F void flash_group(const __m512* dots, const int32_t* visible, const uint8_t* const* values, int n_keys,
                                 int64_t n, float scale, FlashGroup state) {
    const __m512 minus_inf = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
    __mmask16 in_view[Q];
    __m512 scores[Q];
    for (int i = 0; i < Q; ++i) {
        in_view[i] = static_cast<__mmask16>((1u << std::clamp(visible[i], 0, n_keys)) - 1);
        scores[i] = _mm512_mask_blend_ps(in_view[i], minus_inf, _mm512_mul_ps(dots[i], _mm512_set1_ps(scale)));
    }
    float new_max[Q];
    for (int i = 0; i < Q; ++i) new_max[i] = std::max(state.max[i], _mm512_reduce_max_ps(scores[i]));
    alignas(64) float weights[Q][kFlashTileKeys];
    float rescale[Q];
    for (int i = 0; i < Q; ++i) {
        // A query that sees none of the tile keeps its state: no weights, a rescale of 1.
        const __m512 e = _mm512_maskz_mov_ps(in_view[i], exp_vector(_mm512_sub_ps(scores[i], _mm512_set1_ps(new_max[i]))));
        _mm512_store_ps(weights[i], e);
        // e^(old max - new max); 0 before the first key (exp_vector takes -inf to 0), 1 when unchanged.
        const float grown = _mm512_cvtss_f32(exp_vector(_mm512_set1_ps(state.max[i] - new_max[i])));
        rescale[i] = flash_take_tile(state, i, new_max[i], grown, _mm512_reduce_add_ps(e));
    }
    weigh_all_values<Rows, Q>(weights, rescale, values, n_keys, n, state.acc);
}

// One group of Q query vectors through the tile: their dots (from the widened tile, or with
// keys_wide null from the rows themselves), then the softmax and values.
template <DType Rows, int Q>
HEARTH_AVX512_F void run_group(const float* q, int64_t q_stride, const int32_t* visible, const uint8_t* const* keys,
                               const float* keys_wide, const uint8_t* const* values, int n_keys, int64_t n, float scale,
                               FlashGroup state) {
    __m512 dots[Q];
    if constexpr (Q <= kDirectQueries) {
        if (keys_wide == nullptr) {
            dots_from_rows<Rows, Q>(q, q_stride, keys, n_keys, n, dots);
            flash_group<Rows, Q>(dots, visible, values, n_keys, n, scale, state);
            return;
        }
    }
    dots_from_wide<Q>(q, q_stride, keys_wide, n, dots);
    flash_group<Rows, Q>(dots, visible, values, n_keys, n, scale, state);
}

using GroupKernel = void (*)(const float*, int64_t, const int32_t*, const uint8_t* const*, const float*, const uint8_t* const*,
                             int, int64_t, float, FlashGroup);
template <DType Rows>
constexpr GroupKernel kGroupKernels[kFlashGroupQueries] = {run_group<Rows, 1>, run_group<Rows, 2>, run_group<Rows, 3>,
                                                           run_group<Rows, 4>, run_group<Rows, 5>, run_group<Rows, 6>,
                                                           run_group<Rows, 7>, run_group<Rows, 8>};

template <DType Rows>
HEARTH_AVX512_F void flash_tile_avx512(const float* q, int64_t q_stride, int queries, const int32_t* visible,
                                       const uint8_t* const* keys, const uint8_t* const* values, int n_keys, int64_t n,
                                       float scale, FlashState& state) {
    // The keys widened once for all groups; dimensions [d, d + 16) of key j at keys_wide +
    // d * kFlashTileKeys + 16 * j, so that a block of dimensions is one run of the tile's keys. A
    // decode row's few query vectors widen them in registers instead (x1.02-1.19 a tile).
    alignas(64) float keys_wide[kFlashTileKeys * kFlashMaxDim];
    const bool direct = queries <= kDirectQueries;
    for (int j = 0; j < kFlashTileKeys && !direct; ++j)
        for (int64_t d = 0; d < n; d += 16)
            _mm512_store_ps(keys_wide + d * kFlashTileKeys + 16 * j, j < n_keys ? widen16<Rows>(keys[j], d) : _mm512_setzero_ps());
    for (int first = 0; first < queries; first += kFlashGroupQueries) {
        const int count = std::min(kFlashGroupQueries, queries - first);
        if (*std::max_element(visible + first, visible + first + count) <= 0) continue;  // nothing to see
        kGroupKernels<Rows>[count - 1](q + first * q_stride, q_stride, visible + first, keys, direct ? nullptr : keys_wide, values,
                                       n_keys, n, scale, flash_group_of(state, first, n));
    }
}

}  // namespace

FlashTileKernel avx512_flash_tile(DType rows) {
    if (rows == DType::F16) return flash_tile_avx512<DType::F16>;
    return rows == DType::Q8_0 ? flash_tile_avx512<DType::Q8_0> : nullptr;
}

}  // namespace hearth::cpu
