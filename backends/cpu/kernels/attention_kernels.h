#pragma once
// Fast pieces of the reference attention, chosen once for an instruction set. Each returns exactly
// what the reference loop in ops_attention.cpp computes; a null entry means "use that loop".
#include <cstdint>

#include "backends/cpu/kernels/isa.h"

namespace hearth::cpu {

// acc[i] += double(p * f16(v[i])) for i < n: the probability-times-value step, each element's
// float product and double sum exactly as the reference forms them (lanes are elements).
using F16AxpyKernel = void (*)(double* acc, float p, const uint16_t* v, int64_t n);

// out[j] = sum over d < n, in order, of double(q[d] * f16(keys[j * key_stride + d])) for
// j < n_keys: the Q.K step (q already rounded to f16 values), lanes are keys.
using F16DotsKernel = void (*)(const float* q, const uint16_t* keys, int64_t key_stride, int64_t n_keys, int64_t n,
                               double* out);

struct AttentionKernels {
    F16AxpyKernel axpy_f16 = nullptr;
    F16DotsKernel dots_f16 = nullptr;
};

AttentionKernels attention_kernels_for(Isa isa);

}  // namespace hearth::cpu
