#pragma once
// Flash attention's step for the default arithmetic (not with CpuOptions::exact): a tile of keys and
// values meets a few query vectors in one pass, the softmax kept online (a running maximum, the sum
// of e^(score - maximum) and the value rows weighted by those terms, all rescaled whenever the
// maximum grows). Float sums throughout, so it rounds differently from the exact path's double
// Q.K and one-shot softmax; in exchange a key is read once, while its value is still close.
#include <cstdint>

#include "core/quant/dtype.h"

namespace hearth::cpu {

constexpr int kFlashTileKeys = 16;    // the most keys one call takes
constexpr int kFlashMaxQueries = 32;  // the most query vectors one call takes: a prompt's rows read
                                      // each key once for this many (several rows' heads)
constexpr int kFlashGroupQueries = 8;  // the most query vectors a vector kernel works on at a time
constexpr int64_t kFlashDimStep = 16;  // head widths the kernels take: multiples of this,
constexpr int64_t kFlashMaxDim = 256;  // up to this

// The running softmax of each query vector: the largest score so far (-inf before any), the sum of
// e^(score - max) and acc[i * n + d], the sum of e^(score - max) * value[d].
struct FlashState {
    float max[kFlashMaxQueries];
    float sum[kFlashMaxQueries];
    float* acc;
};

// Query vectors [first, first + count) of a state, a group that a vector kernel works on at once.
struct FlashGroup {
    float* max;
    float* sum;
    float* acc;
};
inline FlashGroup flash_group_of(FlashState& state, int first, int64_t n) {
    return {state.max + first, state.sum + first, state.acc + first * n};
}
// Query i of a group takes in one tile: its new maximum, `grown` = e^(old max - new max) as the
// kernel's vector e^x gives it, and the sum of the tile's terms. Returns the rescale of what the
// query had so far (1 when its maximum did not grow).
inline float flash_take_tile(FlashGroup state, int i, float new_max, float grown, float tile_sum) {
    const float rescale = new_max > state.max[i] ? grown : 1.0f;
    state.sum[i] = state.sum[i] * rescale + tile_sum;
    state.max[i] = new_max;
    return rescale;
}

// Query vector i < queries (n floats at q + i * q_stride) against the tile's keys j < n_keys (a row
// of n values at keys[j], F16 or Q8_0 as the kernel was made for), seeing only the first visible[i]
// of them: score = (q . key) * scale in float, then the state takes the visible scores and value rows
// (values[j]) in. n_keys <= kFlashTileKeys, queries <= kFlashMaxQueries, n a multiple of
// kFlashDimStep up to kFlashMaxDim (of 32 for Q8_0). Each query vector's result depends on its own
// inputs only, never on the other queries of the call; keys and values are read as the reference
// dequantizes them (dequantize_row), so Q8_0 rows cost no extra rounding. A query vector that sees
// none of the tile's keys keeps its state as it was.
using FlashTileKernel = void (*)(const float* q, int64_t q_stride, int queries, const int32_t* visible,
                                 const uint8_t* const* keys, const uint8_t* const* values, int n_keys, int64_t n,
                                 float scale, FlashState& state);

// The plain loops that define the step (expf, float sums key after key) for rows of type Rows (F16 or
// Q8_0); the vector kernels are held to them within float roundings (tests/cpu/test_flash_attention.cpp).
template <DType Rows>
void flash_tile_reference(const float* q, int64_t q_stride, int queries, const int32_t* visible,
                          const uint8_t* const* keys, const uint8_t* const* values, int n_keys, int64_t n,
                          float scale, FlashState& state);

// Starts query vectors [0, queries) with nothing seen; acc must hold queries * n floats.
void flash_start(FlashState& state, int queries, int64_t n);
// Takes in the running softmax of query `query` over later keys (its max, sum and acc of n floats)
// as if `into` had seen those keys too: both sides rescaled to the larger maximum, then added.
void flash_merge(FlashState& into, int query, float max, float sum, const float* acc, int64_t n);
// out[d] = acc[query * n + d] / sum[query]: the attention output of one query vector.
void flash_finish(const FlashState& state, int query, int64_t n, float* out);

// The vector kernels for F16 or Q8_0 rows (nullptr for another type).
FlashTileKernel avx512_flash_tile(DType rows);  // flash_attention_avx512.cpp
FlashTileKernel avx2_flash_tile(DType rows);    // flash_attention_avx2.cpp
FlashTileKernel neon_flash_tile(DType rows);    // flash_attention_neon.cpp

}  // namespace hearth::cpu
