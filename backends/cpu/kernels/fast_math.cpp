#include "backends/cpu/kernels/fast_math.h"

namespace hearth::cpu {

FastMathKernels fast_math_kernels_for(Isa isa) {
#if defined(__x86_64__)
    if (isa == Isa::avx512) return avx512_fast_math_kernels();
#endif
    (void)isa;
    return {};
}

}  // namespace hearth::cpu
