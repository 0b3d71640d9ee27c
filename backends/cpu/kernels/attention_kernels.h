#pragma once
// Fast pieces of the reference attention, chosen once for an instruction set. Each returns exactly
// what the reference loop in ops_attention.cpp computes; a null entry means "use that loop".
#include <cstdint>

#include "backends/cpu/kernels/isa.h"

namespace hearth::cpu {

// For j < n_keys in order, acc[h * acc_stride + d] += double(probs[h * probs_stride + j] *
// f16(values[j * value_stride + d])) for h < heads, d < n: the probability-times-value step of the
// query heads that share a run of values, each element's float product and double sum exactly as the
// reference forms them. probs must hold f16 values (the reference rounds them).
using F16AxpyKernel = void (*)(double* acc, int64_t acc_stride, const float* probs, int64_t probs_stride, int heads,
                               const uint16_t* values, int64_t value_stride, int64_t n_keys, int64_t n);

// out[h * out_stride + j] = sum over d < n, in order, of double(q[h * q_stride + d] *
// f16(keys[j * key_stride + d])) for h < heads, j < n_keys: the Q.K step of the query heads that share
// these keys. q must hold f16 values (bf16 values for dots_bf16), as every caller rounds it: the
// kernels may rely on the float product of two halves being exact.
using F16DotsKernel = void (*)(const float* q, int64_t q_stride, int heads, const uint16_t* keys, int64_t key_stride,
                               int64_t n_keys, int64_t n, double* out, int64_t out_stride);

// values[i] = fp16_to_f32(f32_to_fp16(values[i])) for i < n (a NaN stays a NaN, its payload may differ).
using F16RoundKernel = void (*)(float* values, int64_t n);
// out[i] = f32_to_fp16(values[i]) for i < n (likewise for NaN): the KV cache's stores.
using F16StoreKernel = void (*)(const float* values, uint16_t* out, int64_t n);

// The dots kernels also serve the F16 and BF16 weight matmuls (ops_matmul.cpp), whose reference
// (ggml's vec_dot_f16 / bf16) is the same double sum of float products: weight rows as keys,
// activation rows (rounded to the weight type) as the query heads.
struct AttentionKernels {
    F16AxpyKernel axpy_f16 = nullptr;
    F16DotsKernel dots_f16 = nullptr;
    F16RoundKernel round_f16 = nullptr;
    F16DotsKernel dots_bf16 = nullptr;  // as dots_f16 with bf16 keys
    F16StoreKernel store_f16 = nullptr;
};

AttentionKernels attention_kernels_for(Isa isa);
AttentionKernels avx512_attention_kernels();  // attention_avx512.cpp
void round_f16_avx2(float* values, int64_t n);  // attention_avx2.cpp; AVX2 and F16C only
void store_f16_avx2(const float* values, uint16_t* out, int64_t n);  // likewise

}  // namespace hearth::cpu
