// NEON step of flash attention (flash_attention.h) for aarch64, as the AVX2 one with 4 lanes: the
// tile's keys widened once for all query vectors, each query's dots for 4 keys folded by pairwise
// adds into one vector of 4 scores, and P.V with the query vectors' sums in registers while each
// value block is widened once for all of them. Base Armv8-A Advanced SIMD only.
#include <arm_neon.h>

#include <algorithm>
#include <limits>

#include "backends/cpu/kernels/fast_math.h"
#include "backends/cpu/kernels/flash_attention.h"
#include "core/quant/blocks.h"
#include "core/quant/half.h"

namespace hearth::cpu {
namespace {

static_assert(kFlashTileKeys == 16, "four score vectors per query vector and tile");
static_assert(kFlashGroupQueries == 8, "flash_group has a case for each group size");
static_assert(kFlashDimStep % 4 == 0, "head widths in whole 4-float vectors");

// Values [d, d + 4) of a row as floats, as dequantize_row gives them (f16 widened exactly by FCVTL).
template <DType Rows>
inline float32x4_t widen4(const uint8_t* row, int64_t d) {
    if constexpr (Rows == DType::F16) {
        return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(reinterpret_cast<const uint16_t*>(row) + d)));
    } else {
        const BlockQ8_0& block = reinterpret_cast<const BlockQ8_0*>(row)[d / kQK];
        const int8_t* quants = block.qs + d % kQK;
        const int32x4_t wide = {quants[0], quants[1], quants[2], quants[3]};
        return vmulq_n_f32(vcvtq_f32_s32(wide), fp16_to_f32(block.d));
    }
}

// 2^e for integer lanes e in [-126, 127].
inline float32x4_t power_of_two(int32x4_t e) { return vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(e, vdupq_n_s32(127)), 23)); }

// e^x as exp_vector of fast_math_avx512.h: x clamped to [-104, 89], x = k ln2 + r, e^r by its Taylor
// polynomial to degree 7, then 2^k applied as two factors 2^(k/2) and 2^(k - k/2), each a normal float.
inline float32x4_t exp4(float32x4_t x) {
    x = vminq_f32(vdupq_n_f32(89.0f), vmaxq_f32(vdupq_n_f32(-104.0f), x));
    const float32x4_t k = vrndnq_f32(vmulq_n_f32(x, 1.44269504f));
    float32x4_t r = vfmsq_f32(x, k, vdupq_n_f32(0.693145751953125f));
    r = vfmsq_f32(r, k, vdupq_n_f32(1.428606765330187e-6f));
    float32x4_t p = vdupq_n_f32(1.0f / 5040.0f);
    for (const float c : {1.0f / 720.0f, 1.0f / 120.0f, 1.0f / 24.0f, 1.0f / 6.0f, 0.5f, 1.0f, 1.0f}) p = vfmaq_f32(vdupq_n_f32(c), p, r);
    const int32x4_t ki = vcvtq_s32_f32(k);
    const int32x4_t half = vshrq_n_s32(ki, 1);
    return vmulq_f32(vmulq_f32(p, power_of_two(half)), power_of_two(vsubq_s32(ki, half)));
}

// Scores of one query vector for keys [4 * quad, 4 * quad + 4) of the widened tile.
inline float32x4_t dots4(const float* q, const float* keys_wide, int64_t n, int quad) {
    float32x4_t part[4];
    for (int j = 0; j < 4; ++j) part[j] = vdupq_n_f32(0.0f);
    for (int64_t d = 0; d < n; d += 4) {
        const float32x4_t qd = vld1q_f32(q + d);
        for (int j = 0; j < 4; ++j) part[j] = vfmaq_f32(part[j], qd, vld1q_f32(keys_wide + (4 * quad + j) * n + d));
    }
    return vpaddq_f32(vpaddq_f32(part[0], part[1]), vpaddq_f32(part[2], part[3]));
}

// acc[i * n + d] = acc[i * n + d] * rescale[i] + sum over j of weights[i][j] * value_j[d] for d in
// [d0, d0 + 4 * C), the keys in order whatever Q and C (a query's bits do not depend on them).
template <DType Rows, int Q, int C>
void weigh_values(const float (*weights)[kFlashTileKeys], const float* rescale, const uint8_t* const* values, int n_keys,
                  int64_t n, int64_t d0, float* acc) {
    float32x4_t sums[Q][C];
    for (int i = 0; i < Q; ++i)
        for (int c = 0; c < C; ++c) sums[i][c] = vmulq_n_f32(vld1q_f32(acc + i * n + d0 + 4 * c), rescale[i]);
    for (int j = 0; j < n_keys; ++j) {
        float32x4_t v[C];
        for (int c = 0; c < C; ++c) v[c] = widen4<Rows>(values[j], d0 + 4 * c);
        for (int i = 0; i < Q; ++i)
            for (int c = 0; c < C; ++c) sums[i][c] = vfmaq_n_f32(sums[i][c], v[c], weights[i][j]);
    }
    for (int i = 0; i < Q; ++i)
        for (int c = 0; c < C; ++c) vst1q_f32(acc + i * n + d0 + 4 * c, sums[i][c]);
}

// All n dimensions with at most 16 sums in registers (32 vector registers in all).
template <DType Rows, int Q>
void weigh_all_values(const float (*weights)[kFlashTileKeys], const float* rescale, const uint8_t* const* values, int n_keys,
                      int64_t n, float* acc) {
    constexpr int kChunks = Q <= 2 ? 8 : Q <= 4 ? 4 : 2;
    int64_t d = 0;
    for (; d + 4 * kChunks <= n; d += 4 * kChunks) weigh_values<Rows, Q, kChunks>(weights, rescale, values, n_keys, n, d, acc);
    for (; d < n; d += 4) weigh_values<Rows, Q, 1>(weights, rescale, values, n_keys, n, d, acc);
}

// Up to kFlashGroupQueries query vectors against the tile's widened keys.
template <DType Rows>
void flash_group(const float* q, int64_t q_stride, int queries, const int32_t* visible, const float* keys_wide,
                 const uint8_t* const* values, int n_keys, int64_t n, float scale, FlashGroup state) {
    alignas(16) float weights[kFlashGroupQueries][kFlashTileKeys];
    float rescale[kFlashGroupQueries];
    const float32x4_t minus_inf = vdupq_n_f32(-std::numeric_limits<float>::infinity());
    const int32x4_t lane = {0, 1, 2, 3};
    for (int i = 0; i < queries; ++i) {
        const int seen = std::clamp(visible[i], 0, n_keys);
        rescale[i] = 1.0f;
        std::fill_n(weights[i], kFlashTileKeys, 0.0f);
        if (seen == 0) continue;
        float32x4_t scores[4];
        uint32x4_t in_view[4];
        float32x4_t top = minus_inf;
        for (int quad = 0; quad < 4; ++quad) {
            in_view[quad] = vcltq_s32(lane, vdupq_n_s32(seen - 4 * quad));
            scores[quad] = vbslq_f32(in_view[quad], vmulq_n_f32(dots4(q + i * q_stride, keys_wide, n, quad), scale), minus_inf);
            top = vmaxq_f32(top, scores[quad]);
        }
        const float new_max = std::max(state.max[i], vmaxvq_f32(top));
        float32x4_t total = vdupq_n_f32(0.0f);
        for (int quad = 0; quad < 4; ++quad) {
            const float32x4_t e = vreinterpretq_f32_u32(vandq_u32(in_view[quad], vreinterpretq_u32_f32(exp4(vsubq_f32(scores[quad], vdupq_n_f32(new_max))))));
            vst1q_f32(weights[i] + 4 * quad, e);
            total = vaddq_f32(total, e);
        }
        // e^(old max - new max); 0 before the first key (exp4 takes -inf to 0), 1 when unchanged.
        if (new_max > state.max[i]) rescale[i] = vgetq_lane_f32(exp4(vdupq_n_f32(state.max[i] - new_max)), 0);
        state.sum[i] = state.sum[i] * rescale[i] + vaddvq_f32(total);
        state.max[i] = new_max;
    }
    switch (queries) {
        case 1: weigh_all_values<Rows, 1>(weights, rescale, values, n_keys, n, state.acc); break;
        case 2: weigh_all_values<Rows, 2>(weights, rescale, values, n_keys, n, state.acc); break;
        case 3: weigh_all_values<Rows, 3>(weights, rescale, values, n_keys, n, state.acc); break;
        case 4: weigh_all_values<Rows, 4>(weights, rescale, values, n_keys, n, state.acc); break;
        case 5: weigh_all_values<Rows, 5>(weights, rescale, values, n_keys, n, state.acc); break;
        case 6: weigh_all_values<Rows, 6>(weights, rescale, values, n_keys, n, state.acc); break;
        case 7: weigh_all_values<Rows, 7>(weights, rescale, values, n_keys, n, state.acc); break;
        default: weigh_all_values<Rows, 8>(weights, rescale, values, n_keys, n, state.acc); break;
    }
}

template <DType Rows>
void flash_tile_neon(const float* q, int64_t q_stride, int queries, const int32_t* visible, const uint8_t* const* keys,
                     const uint8_t* const* values, int n_keys, int64_t n, float scale, FlashState& state) {
    alignas(16) float keys_wide[kFlashTileKeys * kFlashMaxDim];  // widened once for all groups
    for (int j = 0; j < kFlashTileKeys; ++j)
        for (int64_t d = 0; d < n; d += 4) vst1q_f32(keys_wide + j * n + d, j < n_keys ? widen4<Rows>(keys[j], d) : vdupq_n_f32(0.0f));
    for (int first = 0; first < queries; first += kFlashGroupQueries) {
        const int count = std::min(kFlashGroupQueries, queries - first);
        flash_group<Rows>(q + first * q_stride, q_stride, count, visible + first, keys_wide, values, n_keys, n, scale,
                          flash_group_of(state, first, n));
    }
}

}  // namespace

FlashTileKernel neon_flash_tile(DType rows) {
    if (rows == DType::F16) return flash_tile_neon<DType::F16>;
    return rows == DType::Q8_0 ? flash_tile_neon<DType::Q8_0> : nullptr;
}

}  // namespace hearth::cpu
