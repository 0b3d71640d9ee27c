#pragma once
// Vector math that is close to the reference's but not bit-identical to it (a polynomial exp instead
// of libm's expf, float sums, double sums in another order): flash attention (flash_attention.h),
// attention's softmax and P.V where flash attention does not apply, SwiGLU and RMS norm's sum of
// squares, unless CpuOptions::exact. Each
// acts on one row alone, so a row's result does not depend on its batch. Null entries: the
// reference loops.
#include <cstdint>

#include "backends/cpu/kernels/attention_kernels.h"
#include "backends/cpu/kernels/flash_attention.h"
#include "backends/cpu/kernels/isa.h"

namespace hearth::cpu {

// For each of `heads` rows of n scores: probs[h * n + j] = exp(float(dots[h * n + j]) * scale - max) /
// sum, as the reference softmax (ops_attention.cpp) with exp within 2 ulp of expf and float sums.
using SoftmaxKernel = void (*)(const double* dots, int heads, int64_t n, float scale, float* probs);

// out[i] = gate[i] / (1 + exp(-gate[i])) * up[i] for i < n, exp as for SoftmaxKernel.
using SwigluKernel = void (*)(const float* gate, const float* up, float* out, int64_t n);

// The sum over i < n of the float squares x[i] * x[i], added in double (RMS norm): the reference's
// terms in another order (8 lanes, then their sum), so within a few double roundings of it.
using SumSquaresKernel = double (*)(const float* x, int64_t n);

struct FastMathKernels {
    SoftmaxKernel softmax = nullptr;
    SwigluKernel swiglu = nullptr;
    // Attention's P.V as F16AxpyKernel, summed in float over each call's run of values (added to
    // the double accumulators once per call); probs need not hold f16 values.
    F16AxpyKernel axpy_f16 = nullptr;
    SumSquaresKernel sum_squares = nullptr;
    // Attention over F16 (Q8_0) keys and values, a tile at a time with the softmax online (flash_attention.h).
    FlashTileKernel flash_f16 = nullptr;
    FlashTileKernel flash_q8_0 = nullptr;
};

FastMathKernels fast_math_kernels_for(Isa isa);  // fast_math.cpp
FastMathKernels avx512_fast_math_kernels();      // fast_math_avx512.cpp

}  // namespace hearth::cpu
