// Every fast dot kernel must return exactly (bit for bit) the float of the reference vec_dot, for
// every instruction set this CPU has, on quantized real-looking rows and on arbitrary block bytes.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "backends/cpu/kernels/dot_kernels.h"
#include "core/quant/half.h"
#include "core/quant/quant.h"

namespace hearth::cpu {
namespace {

constexpr DType kKernelTypes[] = {DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1,
                                  DType::Q8_0, DType::Q4_K, DType::Q5_K, DType::Q6_K};
constexpr int64_t kBlockCounts[] = {1, 2, 3, 7, 13};

enum class Values { normal, outliers, zeros, sparse, positive };
constexpr Values kValueKinds[] = {Values::normal, Values::outliers, Values::zeros, Values::sparse, Values::positive};

std::vector<float> random_floats(Values kind, int64_t n, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
    std::vector<float> v(static_cast<size_t>(n));
    for (float& x : v) {
        switch (kind) {
            case Values::normal: x = normal(rng); break;
            case Values::outliers: x = normal(rng) * (uniform(rng) > 0.97f ? 1000.0f : 0.01f); break;
            case Values::zeros: x = 0.0f; break;
            case Values::sparse: x = uniform(rng) > 0.8f ? 50.0f * normal(rng) : 0.0f; break;
            case Values::positive: x = 3.0f + 0.1f * normal(rng); break;
        }
    }
    return v;
}

std::vector<uint8_t> quantized(DType type, const std::vector<float>& x) {
    std::vector<uint8_t> bytes(row_bytes(dtype_info(type), x.size()));
    quantize_row(type, x.data(), bytes.data(), static_cast<int64_t>(x.size()));
    return bytes;
}

// Offsets of the scale fields inside one block, which must hold finite values: fp16 halves, and for
// Q8_K one float.
struct ScaleFields {
    std::vector<size_t> halves;
    std::vector<size_t> floats;
};

ScaleFields scale_fields(DType type) {
    switch (type) {
        case DType::Q4_1: case DType::Q5_1: case DType::Q8_1: case DType::Q4_K: case DType::Q5_K: return {{0, 2}, {}};
        case DType::Q6_K: return {{208}, {}};
        case DType::Q8_K: return {{}, {0}};
        default: return {{0}, {}};
    }
}

// Uniformly random block bytes (every quant pattern, -128 included) with random finite scales.
std::vector<uint8_t> random_blocks(DType type, int64_t n, std::mt19937& rng) {
    const DTypeInfo& info = dtype_info(type);
    std::vector<uint8_t> bytes(row_bytes(info, n));
    std::uniform_int_distribution<int> byte(0, 255);
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(byte(rng));
    std::uniform_real_distribution<float> scale(-4.0f, 4.0f);
    const ScaleFields fields = scale_fields(type);
    for (size_t block = 0; block < bytes.size(); block += info.block_bytes) {
        for (size_t off : fields.halves) {
            const uint16_t h = f32_to_fp16(scale(rng));
            std::memcpy(bytes.data() + block + off, &h, sizeof(h));
        }
        for (size_t off : fields.floats) {
            const float f = scale(rng) * 0.01f;
            std::memcpy(bytes.data() + block + off, &f, sizeof(f));
        }
    }
    return bytes;
}

std::vector<Isa> isas_to_test() {
    const CpuFeatures features = detect_cpu_features();
    std::vector<Isa> isas{Isa::scalar};
#if defined(__aarch64__)
    if (features.neon_dotprod) isas.push_back(Isa::neon);
    else MESSAGE("this CPU has no NEON dot product: NEON kernels not tested");
#else
    if (features.avx2) isas.push_back(Isa::avx2);
    else MESSAGE("this CPU has no AVX2: AVX2 kernels not tested");
    if (features.avx512) isas.push_back(Isa::avx512);
    else MESSAGE("this CPU has no AVX-512: AVX-512 table not tested");
#endif
    return isas;
}

// Counts the rows where the kernel's float differs in any bit from the reference's.
int mismatches(DotKernel kernel, DType type, const std::vector<uint8_t>& w, const std::vector<uint8_t>& a,
               int64_t n) {
    const float expected = vec_dot(type, w.data(), a.data(), n);
    const float got = kernel(w.data(), a.data(), n / dtype_info(type).block_elems);
    if (std::bit_cast<uint32_t>(expected) == std::bit_cast<uint32_t>(got)) return 0;
    MESSAGE("expected " << expected << " got " << got);
    return 1;
}

TEST_CASE("fast dot kernels equal the reference bit for bit on quantized rows") {
    std::mt19937 rng(1234);
    for (Isa isa : isas_to_test()) {
        const DotKernels kernels = dot_kernels_for(isa);
        for (DType type : kKernelTypes) {
            const DotKernel kernel = kernels.for_type(type);
            if (kernel == nullptr) continue;
            const DType act = vec_dot_type(type);
            for (int64_t blocks : kBlockCounts) {
                const int64_t n = blocks * dtype_info(type).block_elems;
                for (Values wk : kValueKinds) {
                    for (Values ak : kValueKinds) {
                        INFO(isa_name(isa), " ", dtype_info(type).name, " blocks=", blocks);
                        const auto w = quantized(type, random_floats(wk, n, rng));
                        const auto a = quantized(act, random_floats(ak, n, rng));
                        CHECK(mismatches(kernel, type, w, a, n) == 0);
                    }
                }
            }
        }
    }
}

TEST_CASE("fast dot kernels equal the reference bit for bit on arbitrary block bytes") {
    std::mt19937 rng(99);
    for (Isa isa : isas_to_test()) {
        const DotKernels kernels = dot_kernels_for(isa);
        for (DType type : kKernelTypes) {
            const DotKernel kernel = kernels.for_type(type);
            if (kernel == nullptr) continue;
            for (int64_t blocks : kBlockCounts) {
                const int64_t n = blocks * dtype_info(type).block_elems;
                for (int trial = 0; trial < 20; ++trial) {
                    INFO(isa_name(isa), " ", dtype_info(type).name, " blocks=", blocks, " trial=", trial);
                    const auto w = random_blocks(type, n, rng);
                    const auto a = random_blocks(vec_dot_type(type), n, rng);
                    CHECK(mismatches(kernel, type, w, a, n) == 0);
                }
            }
        }
    }
}

// The first vector instruction set of the architecture this test is built for.
#if defined(__aarch64__)
constexpr Isa kBaseVectorIsa = Isa::neon;
#else
constexpr Isa kBaseVectorIsa = Isa::avx2;
#endif

TEST_CASE("kernel tables: scalar has none, the base vector set covers one row of every quantized type") {
    const DotKernels scalar = dot_kernels_for(Isa::scalar);
    const DotKernels vector = dot_kernels_for(kBaseVectorIsa);
    for (DType type : kKernelTypes) {
        CHECK((scalar.for_type(type) == nullptr));
        CHECK((scalar.decode.for_type(type) == nullptr));
        CHECK((vector.for_type(type) != nullptr || vector.decode.for_type(type) != nullptr));
    }
    CHECK((vector.for_type(DType::F32) == nullptr));
    CHECK((vector.for_type(DType::F16) == nullptr));
}

}  // namespace
}  // namespace hearth::cpu
