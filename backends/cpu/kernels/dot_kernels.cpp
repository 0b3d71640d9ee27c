#include "backends/cpu/kernels/dot_kernels.h"

namespace hearth::cpu {

QuantizeRowKernel ActQuantizers::for_type(DType act_type) const {
    switch (act_type) {
        case DType::Q8_0: return q8_0;
        case DType::Q8_1: return q8_1;
        case DType::Q8_K: return q8_k;
        default: return nullptr;
    }
}

DotKernels dot_kernels_for(Isa isa) {
    switch (isa) {
        case Isa::scalar: return {};
#if defined(__x86_64__)
        case Isa::avx2:
        case Isa::avx512: {
            DotKernels kernels = avx2_dot_kernels();
            add_avx2_k_tiles(kernels.tiles);
            add_avx2_k_gemm(kernels.gemm);
            add_avx2_legacy_panel_kernels(kernels.panels);
            add_avx2_k_panel_kernels(kernels.panels);
            add_avx2_k_blockwise_kernels(kernels.panels);
            kernels.quantize = avx2_act_quantizers();
            add_avx2_describe_kernel(kernels);
            kernels.half_gemm = isa == Isa::avx512 ? avx512_half_gemm_kernels() : avx2_half_gemm_kernels();
            if (isa == Isa::avx512 && detect_cpu_features().avx512_bf16) {
                kernels.half_gemm.bf16 = avx512_bf16_pairs_gemm();
                kernels.half_gemm.bf16_pairs = true;
            }
            if (isa == Isa::avx512 && detect_cpu_features().avx512_vnni) {
                kernels.gemm = avx512_gemm_kernels();  // replaces the AVX2 entries
                add_avx512_k_gemm(kernels.gemm);
                kernels.panels = avx512_panel_kernels();  // replaces the AVX2 entries
                add_avx512_k_panel_kernels(kernels.panels);
                add_avx512_k_blockwise_kernels(kernels.panels);
                add_avx512_k_kernels(kernels);
                add_avx512_act_quantizers(kernels.quantize);
            }
            return kernels;
        }
#elif defined(__aarch64__)
        case Isa::neon: return neon_dot_kernels();
#endif
        default: return {};  // an instruction set of another architecture: select_isa never picks it
    }
}

}  // namespace hearth::cpu
