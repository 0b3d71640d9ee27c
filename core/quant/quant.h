#pragma once
// Scalar reference quantize / dequantize / dot for the GGUF block types, numerically identical to
// ggml's reference C code (quantize_row_*_ref, dequantize_row_*, ggml_vec_dot_*_generic). Backends
// test their fast kernels against these. Row length n counts elements and must be a multiple of the
// type's block size; a bad n throws Error(bad_request), a type without the operation
// Error(unsupported). Typed per-block entry points are in core/quant/quant_ref.h.
#include <cstdint>

#include "core/quant/dtype.h"

namespace hearth {

// dst gets n floats. Types: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, Q4_K, Q5_K, Q6_K, Q8_K.
void dequantize_row(DType type, const void* src, float* dst, int64_t n);

// dst gets row_bytes(type, n) bytes. Same types as dequantize_row; these are ggml's reference
// (non-imatrix) quantizers, so a tensor quantized here equals llama-quantize's output without imatrix.
void quantize_row(DType type, const float* src, void* dst, int64_t n);

// The type that ggml's CPU path quantizes activations to before a dot with a weight of this type:
// Q4_0, Q5_0, Q8_0 -> Q8_0; Q4_1, Q5_1 -> Q8_1; Q4_K, Q5_K, Q6_K -> Q8_K; F32, F16, BF16 -> themselves.
DType vec_dot_type(DType weight);

// Dot of one weight row with one activation row already in vec_dot_type(weight_type), n elements.
// Integer sums per block times scales, in the float operation order of ggml's scalar path.
float vec_dot(DType weight_type, const void* weight_row, const void* act_row, int64_t n);

// The blockwise dot of a Q4_K, Q5_K or Q6_K row (ref::dot_blockwise): each super-block summed as one
// integer, Hearth's arithmetic for prompt batches when exact ggml arithmetic is not asked for.
float vec_dot_blockwise(DType weight_type, const void* weight_row, const void* act_row, int64_t n);

// The lanes dot of an F16 or BF16 row (ref::dot_half_lanes) with activations already rounded to that
// type and kept as floats: Hearth's arithmetic for F16 and BF16 matmuls when exact ggml arithmetic is
// not asked for. Lane l (of 16) takes fma(w[i], a[i], lane) for i = l, l + 16, ... in order; the lanes
// are then added l + l+8, l + l+4, l + l+2, l + l+1. Any n.
float vec_dot_half_lanes(DType weight_type, const uint16_t* weight_row, const float* act_row, int64_t n);

// The pairs dot of a BF16 row (ref::dot_bf16_pairs), activations as above: the BF16 arithmetic where
// the CPU has AVX-512 BF16, the instruction's (vdpbf16ps) as documented. Lane l (of 16) takes elements
// 2l + 1, then 2l, of each run of 32 (elements past n count as zeros): lane = fma(w, a, lane) with
// subnormal inputs taken as zeros and a subnormal result flushed to zero, signs kept; the lanes are
// then added as in vec_dot_half_lanes. Any n.
float vec_dot_bf16_pairs(const uint16_t* weight_row, const float* act_row, int64_t n);

}  // namespace hearth
