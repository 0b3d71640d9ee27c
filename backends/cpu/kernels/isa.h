#pragma once
// Run-time choice of the CPU instruction set the kernels use. On x86-64 detection reads cpuid and, for
// the wide registers, xgetbv (the OS must save YMM / ZMM state on context switches, or the instructions
// fault); on aarch64 it reads the kernel's hardware capabilities (getauxval(AT_HWCAP)).
#include <string>
#include <string_view>

namespace hearth::cpu {

// What the kernels may use. avx2 means AVX2 + FMA + F16C; avx512 means AVX-512 F + BW + VL on top;
// neon means aarch64 Advanced SIMD with the dot-product extension (SDOT, Armv8.2 DotProd).
enum class Isa { scalar, avx2, avx512, neon };

// What a caller asks for; automatic takes the best the CPU has.
enum class IsaRequest { automatic, scalar, avx2, avx512, neon };

struct CpuFeatures {
    bool avx2 = false;         // AVX2, FMA and F16C, with YMM state enabled by the OS
    bool avx512 = false;       // AVX-512 F, BW and VL, with ZMM and mask state enabled by the OS
    bool avx512_vnni = false;  // AVX-512 VNNI (vpdpbusd): the int8 kernels of the *_avx512*.cpp files
    bool avx512_bf16 = false;  // AVX-512 BF16 (vdpbf16ps): the BF16 matmul of half_gemm_avx512_bf16.cpp
    bool neon_dotprod = false;  // aarch64 Advanced SIMD with SDOT/UDOT
};

CpuFeatures detect_cpu_features();

std::string_view isa_name(Isa isa);  // "scalar", "AVX2", "AVX-512", "NEON"

// "scalar", "avx2", "avx512", "neon" (as in HEARTH_CPU_ISA) or "auto"; anything else throws
// Error(bad_request) listing the accepted names.
IsaRequest parse_isa_request(std::string_view text);

// The features of this CPU in words, for messages: "AVX2, AVX-512 (VNNI)" or "no AVX2" on x86-64,
// "NEON with dot product" or "NEON without dot product" on aarch64.
std::string describe_features(const CpuFeatures& features);

// An explicit request wins, then env_value (the HEARTH_CPU_ISA text, may be null or empty), then the
// best supported. A request the CPU cannot run throws Error(unsupported) naming what it has.
Isa select_isa(IsaRequest request, const char* env_value, const CpuFeatures& features);

}  // namespace hearth::cpu
