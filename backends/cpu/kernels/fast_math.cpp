#include "backends/cpu/kernels/fast_math.h"

namespace hearth::cpu {

FastMathKernels fast_math_kernels_for(Isa isa) {
#if defined(__x86_64__)
    if (isa == Isa::avx512) return avx512_fast_math_kernels();
    if (isa == Isa::avx2) return {.flash_f16 = avx2_flash_tile(DType::F16), .flash_q8_0 = avx2_flash_tile(DType::Q8_0)};
#elif defined(__aarch64__)
    if (isa == Isa::neon) return {.flash_f16 = neon_flash_tile(DType::F16), .flash_q8_0 = neon_flash_tile(DType::Q8_0)};
#endif
    (void)isa;
    return {};
}

}  // namespace hearth::cpu
