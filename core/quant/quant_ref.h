#pragma once
// Typed scalar reference kernels, one overload per block type; counts are in blocks (elements for
// the plain float types) and are not validated here: core/quant/quant.h is the checked entry point.
// Each mirrors the ggml function named beside it, including its float operation order.
#include <cstdint>

#include "core/quant/blocks.h"

namespace hearth::ref {

// Plain float types (quant_float.cpp). Dots accumulate float products in double, as ggml_vec_dot_f32,
// _f16 and _bf16 do in their scalar form, and round the sum to float once.
void fp16_to_f32_row(const uint16_t* x, float* y, int64_t n);
void f32_to_fp16_row(const float* x, uint16_t* y, int64_t n);
void bf16_to_f32_row(const uint16_t* x, float* y, int64_t n);
void f32_to_bf16_row(const float* x, uint16_t* y, int64_t n);
float dot_f32(const float* x, const float* y, int64_t n);
float dot_f16(const uint16_t* x, const uint16_t* y, int64_t n);
float dot_bf16(const uint16_t* x, const uint16_t* y, int64_t n);
// vec_dot_half_lanes: x in F16 (or BF16 with bf16), y floats.
float dot_half_lanes(const uint16_t* x, const float* y, int64_t n, bool bf16);
float dot_bf16_pairs(const uint16_t* x, const float* y, int64_t n);

// Legacy 32-element blocks (quant_legacy.cpp): dequantize_row_*, quantize_row_*_ref,
// ggml_vec_dot_*_generic.
void dequantize(const BlockQ4_0* x, float* y, int64_t nblocks);
void dequantize(const BlockQ4_1* x, float* y, int64_t nblocks);
void dequantize(const BlockQ5_0* x, float* y, int64_t nblocks);
void dequantize(const BlockQ5_1* x, float* y, int64_t nblocks);
void dequantize(const BlockQ8_0* x, float* y, int64_t nblocks);
void dequantize(const BlockQ8_1* x, float* y, int64_t nblocks);
void quantize(const float* x, BlockQ4_0* y, int64_t nblocks);
void quantize(const float* x, BlockQ4_1* y, int64_t nblocks);
void quantize(const float* x, BlockQ5_0* y, int64_t nblocks);
void quantize(const float* x, BlockQ5_1* y, int64_t nblocks);
void quantize(const float* x, BlockQ8_0* y, int64_t nblocks);
void quantize(const float* x, BlockQ8_1* y, int64_t nblocks);
float dot(const BlockQ4_0* x, const BlockQ8_0* y, int64_t nblocks);
float dot(const BlockQ4_1* x, const BlockQ8_1* y, int64_t nblocks);
float dot(const BlockQ5_0* x, const BlockQ8_0* y, int64_t nblocks);
float dot(const BlockQ5_1* x, const BlockQ8_1* y, int64_t nblocks);
float dot(const BlockQ8_0* x, const BlockQ8_0* y, int64_t nblocks);

// K super-blocks of 256 (quant_k.cpp: dequantize and dot; quant_k_quantize.cpp: quantize).
void dequantize(const BlockQ4_K* x, float* y, int64_t nblocks);
void dequantize(const BlockQ5_K* x, float* y, int64_t nblocks);
void dequantize(const BlockQ6_K* x, float* y, int64_t nblocks);
void dequantize(const BlockQ8_K* x, float* y, int64_t nblocks);
void quantize(const float* x, BlockQ4_K* y, int64_t nblocks);
void quantize(const float* x, BlockQ5_K* y, int64_t nblocks);
void quantize(const float* x, BlockQ6_K* y, int64_t nblocks);
void quantize(const float* x, BlockQ8_K* y, int64_t nblocks);
float dot(const BlockQ4_K* x, const BlockQ8_K* y, int64_t nblocks);
float dot(const BlockQ5_K* x, const BlockQ8_K* y, int64_t nblocks);
float dot(const BlockQ6_K* x, const BlockQ8_K* y, int64_t nblocks);

// Blockwise K dots: Hearth's own arithmetic, not ggml's, for the prompt-batch kernels that run
// without CpuOptions::exact (quant_k.cpp). Per super-block the products times their sub-block
// scales sum to one exact int32 (Q6_K: quants - 32), then total = total + (d * y.d) * sum, and for
// Q4_K / Q5_K total = total - (dmin * y.d) * sum over sub-blocks of min * the activations' sum. One
// rounding per super-block where ggml's lanes take eight, so it is no less accurate; it only
// differs from dot() in the last bits.
float dot_blockwise(const BlockQ4_K* x, const BlockQ8_K* y, int64_t nblocks);
float dot_blockwise(const BlockQ5_K* x, const BlockQ8_K* y, int64_t nblocks);
float dot_blockwise(const BlockQ6_K* x, const BlockQ8_K* y, int64_t nblocks);

}  // namespace hearth::ref
