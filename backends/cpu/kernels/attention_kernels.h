#pragma once
// Fast pieces of the reference attention, chosen once for an instruction set. Each returns exactly
// what the reference loop in ops_attention.cpp computes; a null entry means "use that loop".
#include <cstdint>

#include "backends/cpu/kernels/isa.h"

namespace hearth::cpu {

// acc[i] += double(p * f16(v[i])) for i < n: the probability-times-value step, each element's
// float product and double sum exactly as the reference forms them (lanes are elements).
using F16AxpyKernel = void (*)(double* acc, float p, const uint16_t* v, int64_t n);

struct AttentionKernels {
    F16AxpyKernel axpy_f16 = nullptr;
};

AttentionKernels attention_kernels_for(Isa isa);

}  // namespace hearth::cpu
