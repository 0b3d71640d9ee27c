#pragma once
// GELU with the tanh approximation, evaluated as ggml does by default: through a table indexed by the
// f16 value of x, so that the input and the result are rounded to f16; x itself at 10 and above, 0 at
// -10 and below. Gemma's FFN applies it to every gate value of every layer (Backend::gelu_glu).
#include <cstdint>

#include "backends/cpu/kernels/attention_kernels.h"

namespace hearth::cpu {

// One value by the formula (tanhf): what the table holds, and the reference the table is tested against.
float gelu_tanh_f16(float x);

// out[i] = gelu_tanh_f16(gate[i]) * up[i] for i < n, the same bits, looked up in a table of every f16
// value's result (256 KB, built on first use in ~2 ms and only read after). to_f16 converts the gate
// values to their f16 bits (the backend's exact SIMD conversion; null: the portable one). out may be gate.
void gelu_glu_row(const float* gate, const float* up, float* out, int64_t n, F16StoreKernel to_f16);

}  // namespace hearth::cpu
