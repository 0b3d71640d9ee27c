#include "backends/cpu/kernels/isa.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#elif defined(__aarch64__)
#include <sys/auxv.h>
#endif

#include <cstdint>

#include "core/error.h"

namespace hearth::cpu {
namespace {

#if defined(__x86_64__) || defined(__i386__)
struct CpuidRegs {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
};

CpuidRegs cpuid(unsigned leaf, unsigned subleaf) {
    CpuidRegs r;
    if (__get_cpuid_max(0, nullptr) < leaf) return r;
    __cpuid_count(leaf, subleaf, r.eax, r.ebx, r.ecx, r.edx);
    return r;
}

// XCR0: which register states the OS saves. Only readable when the OS set CR4.OSXSAVE.
uint64_t enabled_xsave_states(const CpuidRegs& leaf1) {
    constexpr unsigned kOsxsave = 1u << 27;
    if ((leaf1.ecx & kOsxsave) == 0) return 0;
    uint32_t lo = 0;
    uint32_t hi = 0;
    __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return static_cast<uint64_t>(hi) << 32 | lo;
}

bool has_bits(unsigned reg, unsigned bits) { return (reg & bits) == bits; }
#endif

bool is_supported(Isa isa, const CpuFeatures& f) {
    switch (isa) {
        case Isa::scalar: return true;
        case Isa::avx2: return f.avx2;
        case Isa::avx512: return f.avx512;
        case Isa::neon: return f.neon_dotprod;
    }
    return false;
}

Isa best_supported(const CpuFeatures& f) {
    if (f.neon_dotprod) return Isa::neon;
    if (f.avx512) return Isa::avx512;
    if (f.avx2) return Isa::avx2;
    return Isa::scalar;
}

Isa isa_of(IsaRequest request) {
    switch (request) {
        case IsaRequest::avx2: return Isa::avx2;
        case IsaRequest::avx512: return Isa::avx512;
        case IsaRequest::neon: return Isa::neon;
        default: return Isa::scalar;
    }
}

}  // namespace

#if defined(__x86_64__) || defined(__i386__)
CpuFeatures detect_cpu_features() {
    const CpuidRegs leaf1 = cpuid(1, 0);
    const CpuidRegs leaf7 = cpuid(7, 0);
    const CpuidRegs leaf7_1 = leaf7.eax >= 1 ? cpuid(7, 1) : CpuidRegs{};
    const uint64_t xcr0 = enabled_xsave_states(leaf1);
    constexpr uint64_t kYmmState = 0x6;   // SSE + AVX
    constexpr uint64_t kZmmState = 0xE6;  // SSE + AVX + opmask + ZMM0-15 high + ZMM16-31
    const bool ymm_ok = (xcr0 & kYmmState) == kYmmState;
    const bool zmm_ok = (xcr0 & kZmmState) == kZmmState;

    constexpr unsigned kFma = 1u << 12, kF16c = 1u << 29, kAvx = 1u << 28;  // leaf 1 ecx
    constexpr unsigned kAvx2 = 1u << 5;                                      // leaf 7 ebx
    constexpr unsigned kAvx512F = 1u << 16, kAvx512Bw = 1u << 30, kAvx512Vl = 1u << 31;
    constexpr unsigned kAvx512Vnni = 1u << 11;  // leaf 7 ecx
    constexpr unsigned kAvx512Bf16 = 1u << 5;    // leaf 7 subleaf 1 eax

    CpuFeatures f;
    f.avx2 = ymm_ok && has_bits(leaf1.ecx, kFma | kF16c | kAvx) && has_bits(leaf7.ebx, kAvx2);
    f.avx512 = f.avx2 && zmm_ok && has_bits(leaf7.ebx, kAvx512F | kAvx512Bw | kAvx512Vl);
    f.avx512_vnni = f.avx512 && has_bits(leaf7.ecx, kAvx512Vnni);
    f.avx512_bf16 = f.avx512 && has_bits(leaf7_1.eax, kAvx512Bf16);
    return f;
}
#elif defined(__aarch64__)
CpuFeatures detect_cpu_features() {
    CpuFeatures f;
    f.neon_dotprod = (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
    return f;
}
#else
CpuFeatures detect_cpu_features() { return {}; }  // no vector kernels for this architecture
#endif

std::string_view isa_name(Isa isa) {
    switch (isa) {
        case Isa::scalar: return "scalar";
        case Isa::avx2: return "AVX2";
        case Isa::avx512: return "AVX-512";
        case Isa::neon: return "NEON";
    }
    return "unknown";
}

IsaRequest parse_isa_request(std::string_view text) {
    if (text == "auto") return IsaRequest::automatic;
    if (text == "scalar") return IsaRequest::scalar;
    if (text == "avx2") return IsaRequest::avx2;
    if (text == "avx512") return IsaRequest::avx512;
    if (text == "neon") return IsaRequest::neon;
    throw Error(ErrorKind::bad_request, "unknown CPU instruction set '" + std::string(text) +
                                            "'; expected auto, scalar, avx2, avx512 or neon");
}

std::string describe_features(const CpuFeatures& f) {
    if (f.neon_dotprod) return "NEON with dot product";
#if defined(__aarch64__)
    return "NEON without dot product";
#else
    if (!f.avx2) return "no AVX2";
    if (!f.avx512) return "AVX2";
    return f.avx512_vnni ? "AVX2, AVX-512 (VNNI)" : "AVX2, AVX-512";
#endif
}

Isa select_isa(IsaRequest request, const char* env_value, const CpuFeatures& features) {
    if (request == IsaRequest::automatic && env_value != nullptr && *env_value != '\0')
        request = parse_isa_request(env_value);
    if (request == IsaRequest::automatic) return best_supported(features);
    const Isa isa = isa_of(request);
    require(is_supported(isa, features), ErrorKind::unsupported,
            "CPU instruction set " + std::string(isa_name(isa)) + " was requested but this CPU has " +
                describe_features(features));
    return isa;
}

}  // namespace hearth::cpu
