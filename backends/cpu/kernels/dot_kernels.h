#pragma once
// The backend's table of fast dot kernels, one per weight type, chosen once for an instruction set.
// Every kernel returns exactly the float of hearth::vec_dot (core/quant/quant.h) for the same rows:
// integer block sums may be formed in any order (they are exact), the float steps follow the
// reference operation by operation. A null entry means "use the reference".
#include <cstdint>

#include "backends/cpu/kernels/isa.h"
#include "core/quant/dtype.h"

namespace hearth::cpu {

// Dot of one weight row with one activation row in vec_dot_type(weight type); nblocks counts the
// weight type's blocks and is not validated.
using DotKernel = float (*)(const void* weight_row, const void* act_row, int64_t nblocks);

struct DotKernels {
    DotKernel q4_0 = nullptr;
    DotKernel q4_1 = nullptr;
    DotKernel q5_0 = nullptr;
    DotKernel q5_1 = nullptr;
    DotKernel q8_0 = nullptr;
    DotKernel q4_k = nullptr;
    DotKernel q5_k = nullptr;
    DotKernel q6_k = nullptr;

    DotKernel for_type(DType weight_type) const;
};

// The kernels for an instruction set; scalar has none. AVX-512 reuses the AVX2 kernels for now.
DotKernels dot_kernels_for(Isa isa);

// AVX2 kernels (dot_avx2.cpp: legacy types; dot_avx2_k.cpp: adds the K types to a table). Call only
// when the CPU has AVX2, FMA and F16C.
DotKernels avx2_dot_kernels();
void add_avx2_k_kernels(DotKernels& kernels);

}  // namespace hearth::cpu
