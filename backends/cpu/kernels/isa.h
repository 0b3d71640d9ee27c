#pragma once
// Run-time choice of the CPU instruction set the kernels use. Detection reads cpuid and, for the wide
// registers, xgetbv (the OS must save YMM / ZMM state on context switches, or the instructions fault).
#include <string>
#include <string_view>

namespace hearth::cpu {

// What the kernels may use. avx2 means AVX2 + FMA + F16C; avx512 means AVX-512 F + BW + VL on top.
enum class Isa { scalar, avx2, avx512 };

// What a caller asks for; automatic takes the best the CPU has.
enum class IsaRequest { automatic, scalar, avx2, avx512 };

struct CpuFeatures {
    bool avx2 = false;         // AVX2, FMA and F16C, with YMM state enabled by the OS
    bool avx512 = false;       // AVX-512 F, BW and VL, with ZMM and mask state enabled by the OS
    bool avx512_vnni = false;  // noted for later int8 kernels; not needed by any kernel yet
};

CpuFeatures detect_cpu_features();

std::string_view isa_name(Isa isa);  // "scalar", "AVX2", "AVX-512"

// "scalar", "avx2", "avx512" (as in HEARTH_CPU_ISA) or "auto"; anything else throws
// Error(bad_request) listing the accepted names.
IsaRequest parse_isa_request(std::string_view text);

// The features of this CPU in words, for messages: "AVX2, AVX-512 (VNNI)" or "no AVX2".
std::string describe_features(const CpuFeatures& features);

// An explicit request wins, then env_value (the HEARTH_CPU_ISA text, may be null or empty), then the
// best supported. A request the CPU cannot run throws Error(unsupported) naming what it has.
Isa select_isa(IsaRequest request, const char* env_value, const CpuFeatures& features);

}  // namespace hearth::cpu
