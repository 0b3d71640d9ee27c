// The reference step of flash attention (flash_attention.h) and the state's start and finish.
#include "backends/cpu/kernels/flash_attention.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/quant/blocks.h"
#include "core/quant/half.h"

namespace hearth::cpu {
namespace {

// Value d of a row as dequantize_row gives it.
template <DType Rows>
float row_value(const uint8_t* row, int64_t d) {
    if constexpr (Rows == DType::F16) {
        return fp16_to_f32(reinterpret_cast<const uint16_t*>(row)[d]);
    } else {
        static_assert(Rows == DType::Q8_0);
        const BlockQ8_0& block = reinterpret_cast<const BlockQ8_0*>(row)[d / kQK];
        return static_cast<float>(block.qs[d % kQK]) * fp16_to_f32(block.d);
    }
}

}  // namespace

template <DType Rows>
void flash_tile_reference(const float* q, int64_t q_stride, int queries, const int32_t* visible,
                          const uint8_t* const* keys, const uint8_t* const* values, int n_keys, int64_t n,
                          float scale, FlashState& state) {
    for (int i = 0; i < queries; ++i) {
        const float* qi = q + i * q_stride;
        const int seen = std::clamp(visible[i], 0, n_keys);
        float scores[kFlashTileKeys];
        float tile_max = -std::numeric_limits<float>::infinity();
        for (int j = 0; j < seen; ++j) {
            float dot = 0.0f;
            for (int64_t d = 0; d < n; ++d) dot += qi[d] * row_value<Rows>(keys[j], d);
            scores[j] = dot * scale;
            tile_max = std::max(tile_max, scores[j]);
        }
        if (seen == 0) continue;
        const float new_max = std::max(state.max[i], tile_max);
        const float rescale = std::exp(state.max[i] - new_max);  // 0 before the first key
        float* acc = state.acc + i * n;
        for (int64_t d = 0; d < n; ++d) acc[d] *= rescale;
        float sum = 0.0f;
        for (int j = 0; j < seen; ++j) {
            const float weight = std::exp(scores[j] - new_max);
            sum += weight;
            for (int64_t d = 0; d < n; ++d) acc[d] += weight * row_value<Rows>(values[j], d);
        }
        state.sum[i] = state.sum[i] * rescale + sum;
        state.max[i] = new_max;
    }
}

template void flash_tile_reference<DType::F16>(const float*, int64_t, int, const int32_t*, const uint8_t* const*,
                                                const uint8_t* const*, int, int64_t, float, FlashState&);
template void flash_tile_reference<DType::Q8_0>(const float*, int64_t, int, const int32_t*, const uint8_t* const*,
                                                 const uint8_t* const*, int, int64_t, float, FlashState&);

void flash_start(FlashState& state, int queries, int64_t n) {
    std::fill_n(state.max, queries, -std::numeric_limits<float>::infinity());
    std::fill_n(state.sum, queries, 0.0f);
    std::fill_n(state.acc, queries * n, 0.0f);
}

void flash_merge(FlashState& into, int query, float max, float sum, const float* acc, int64_t n) {
    const float new_max = std::max(into.max[query], max);
    if (new_max == -std::numeric_limits<float>::infinity()) return;  // neither side has seen a key
    const float keep = std::exp(into.max[query] - new_max), add = std::exp(max - new_max);
    into.sum[query] = into.sum[query] * keep + sum * add;
    float* total = into.acc + query * n;
    for (int64_t d = 0; d < n; ++d) total[d] = total[d] * keep + acc[d] * add;
    into.max[query] = new_max;
}

void flash_finish(const FlashState& state, int query, int64_t n, float* out) {
    const float inv_sum = 1.0f / state.sum[query];
    for (int64_t d = 0; d < n; ++d) out[d] = state.acc[query * n + d] * inv_sum;
}

}  // namespace hearth::cpu
