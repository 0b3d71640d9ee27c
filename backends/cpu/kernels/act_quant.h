#pragma once
// Fast quantizers of activation rows to the dot types Q8_0, Q8_1 and Q8_K, chosen once per
// instruction set like the dot kernels. Each writes exactly the bytes of hearth::quantize_row
// (core/quant) for the same floats: the steps are elementwise, a maximum and integer sums, so the
// vector forms repeat the reference's float operations one for one and stay exact.
#include <cstdint>

#include "core/quant/dtype.h"

namespace hearth::cpu {

// Quantizes n floats (a multiple of the type's block size, not validated) into dst.
using QuantizeRowKernel = void (*)(const float* src, void* dst, int64_t n);

struct ActQuantizers {
    QuantizeRowKernel q8_0 = nullptr;
    QuantizeRowKernel q8_1 = nullptr;
    QuantizeRowKernel q8_k = nullptr;

    // Null for a type without a fast quantizer: use hearth::quantize_row.
    QuantizeRowKernel for_type(DType act_type) const;
};

// AVX2 quantizers (act_quant_avx2.cpp). Call only when the CPU has AVX2, FMA and F16C.
ActQuantizers avx2_act_quantizers();
// AVX-512 Q8_0 and Q8_1 quantizers (act_quant_avx512.cpp), replacing the AVX2 entries; Q8_K stays
// AVX2. Call only when the CPU has AVX-512 F, BW and VL.
void add_avx512_act_quantizers(ActQuantizers& quantizers);

}  // namespace hearth::cpu
