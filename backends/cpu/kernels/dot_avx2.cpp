// The AVX2 kernel table: K-type dots (dot_avx2_k.cpp), decode and GEMM kernels, all
// bit-identical to the scalar reference in core/quant.
#include "backends/cpu/kernels/dot_kernels.h"

namespace hearth::cpu {

// The legacy types need no single-row dot or tiles here: the decode kernels (decode_avx2.cpp) take
// one to three activation rows, the GEMM kernels four and more.
DotKernels avx2_dot_kernels() {
    DotKernels k;
    add_avx2_k_kernels(k);
    k.decode = avx2_decode_kernels();
    k.gemm = avx2_gemm_kernels();
    return k;
}

}  // namespace hearth::cpu
