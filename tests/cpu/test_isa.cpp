// Instruction-set selection: explicit option, then HEARTH_CPU_ISA, then detection; requests the CPU
// cannot run, and unknown names, are errors that say what the CPU has.
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/kernels/isa.h"
#include "core/error.h"

namespace hearth::cpu {
namespace {

const CpuFeatures kNoSimd{};
const CpuFeatures kAvx2Only{true, false, false};
const CpuFeatures kAll{true, true, true};
const CpuFeatures kNeonDotprod{.neon_dotprod = true};

// How describe_features words a CPU without any of the features, on the architecture built for.
#if defined(__aarch64__)
constexpr const char* kNoFeaturesWords = "NEON without dot product";
#else
constexpr const char* kNoFeaturesWords = "no AVX2";
#endif

ErrorKind error_kind_of(IsaRequest request, const char* env, const CpuFeatures& features, std::string& message) {
    try {
        select_isa(request, env, features);
    } catch (const Error& e) {
        message = e.what();
        return e.kind();
    }
    return ErrorKind::internal;  // not thrown: the callers expect another kind
}

TEST_CASE("automatic selection takes the best instruction set present") {
    CHECK(select_isa(IsaRequest::automatic, nullptr, kNoSimd) == Isa::scalar);
    CHECK(select_isa(IsaRequest::automatic, nullptr, kAvx2Only) == Isa::avx2);
    CHECK(select_isa(IsaRequest::automatic, "", kAll) == Isa::avx512);
}

TEST_CASE("HEARTH_CPU_ISA applies when the option is automatic; an explicit option wins") {
    CHECK(select_isa(IsaRequest::automatic, "scalar", kAll) == Isa::scalar);
    CHECK(select_isa(IsaRequest::automatic, "avx2", kAll) == Isa::avx2);
    CHECK(select_isa(IsaRequest::scalar, "avx512", kAll) == Isa::scalar);
    CHECK(select_isa(IsaRequest::avx2, "scalar", kAll) == Isa::avx2);
}

TEST_CASE("forcing scalar always works; forcing an absent instruction set throws unsupported") {
    CHECK(select_isa(IsaRequest::scalar, nullptr, kNoSimd) == Isa::scalar);
    std::string message;
    CHECK(error_kind_of(IsaRequest::avx2, nullptr, kNoSimd, message) == ErrorKind::unsupported);
    CHECK(message.find(kNoFeaturesWords) != std::string::npos);
    CHECK(error_kind_of(IsaRequest::automatic, "avx512", kAvx2Only, message) == ErrorKind::unsupported);
    CHECK(message.find("AVX-512") != std::string::npos);
}

TEST_CASE("unknown instruction set names are rejected with the accepted list") {
    std::string message;
    CHECK(error_kind_of(IsaRequest::automatic, "sse9", kAll, message) == ErrorKind::bad_request);
    CHECK(message.find("sse9") != std::string::npos);
    CHECK(message.find("avx512") != std::string::npos);
    CHECK(message.find("neon") != std::string::npos);
}

TEST_CASE("NEON with dot product is chosen when present, can be forced, and is refused without it") {
    CHECK(select_isa(IsaRequest::automatic, nullptr, kNeonDotprod) == Isa::neon);
    CHECK(select_isa(IsaRequest::automatic, "neon", kNeonDotprod) == Isa::neon);
    CHECK(select_isa(IsaRequest::automatic, "scalar", kNeonDotprod) == Isa::scalar);
    CHECK(select_isa(IsaRequest::neon, "scalar", kNeonDotprod) == Isa::neon);
    CHECK(isa_name(Isa::neon) == "NEON");
    CHECK(describe_features(kNeonDotprod) == "NEON with dot product");
    std::string message;
    CHECK(error_kind_of(IsaRequest::neon, nullptr, kNoSimd, message) == ErrorKind::unsupported);
    CHECK(message.find("NEON") != std::string::npos);
    CHECK(error_kind_of(IsaRequest::automatic, "avx2", kNeonDotprod, message) == ErrorKind::unsupported);
    CHECK(message.find("NEON with dot product") != std::string::npos);
}

TEST_CASE("detected features are consistent and the backend reports its choice") {
    const CpuFeatures f = detect_cpu_features();
    CHECK((!f.avx512 || f.avx2));
    CHECK((!f.avx512_vnni || f.avx512));
    CHECK((!f.neon_dotprod || !f.avx2));  // features of two architectures never meet
    MESSAGE("this CPU: " << describe_features(f));

    CpuOptions scalar_options;
    scalar_options.n_threads = 1;
    scalar_options.isa = IsaRequest::scalar;
    const CpuBackend scalar(scalar_options);
    CHECK(scalar.isa() == Isa::scalar);
    CHECK(scalar.device_description() == "CPU, 1 threads, scalar");

    const CpuBackend automatic(CpuOptions{1});
    const char* env = std::getenv("HEARTH_CPU_ISA");
    if (env == nullptr || *env == '\0')
        CHECK(automatic.isa() == select_isa(IsaRequest::automatic, nullptr, f));
    if (!f.avx512) {
        CpuOptions forced = scalar_options;
        forced.isa = IsaRequest::avx512;
        CHECK_THROWS_AS(CpuBackend{forced}, Error);
    }
    if (!f.neon_dotprod) {
        CpuOptions forced = scalar_options;
        forced.isa = IsaRequest::neon;
        CHECK_THROWS_AS(CpuBackend{forced}, Error);
    }
}

}  // namespace
}  // namespace hearth::cpu
