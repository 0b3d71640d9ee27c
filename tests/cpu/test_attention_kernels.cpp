// The attention kernels return exactly what the reference loops in ops_attention.cpp compute.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "backends/cpu/kernels/attention_kernels.h"
#include "core/quant/half.h"

namespace hearth::cpu {
namespace {

// The instruction set whose attention kernels this CPU runs (AVX2 or NEON), or scalar for none.
Isa vector_isa_here() {
    const CpuFeatures features = detect_cpu_features();
#if defined(__aarch64__)
    return features.neon_dotprod ? Isa::neon : Isa::scalar;
#else
    return features.avx2 ? Isa::avx2 : Isa::scalar;
#endif
}

TEST_CASE("axpy_f16 kernel is bit-identical to the reference loop") {
    const Isa isa = vector_isa_here();
    if (isa == Isa::scalar) {
        MESSAGE("skipped: this CPU has no vector attention kernels");
        return;
    }
    const AttentionKernels kernels = attention_kernels_for(isa);
    const bool vector_has_kernel = kernels.axpy_f16 != nullptr;
    const bool scalar_has_kernel = attention_kernels_for(Isa::scalar).axpy_f16 != nullptr;
    REQUIRE(vector_has_kernel);
    CHECK_FALSE(scalar_has_kernel);
    std::mt19937 rng(11);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (int64_t n : {1, 3, 4, 7, 64, 67, 256}) {
        std::vector<uint16_t> v(n);
        for (auto& x : v) x = f32_to_fp16(normal(rng) * (rng() % 4 == 0 ? 300.0f : 1.0f));
        v[0] = f32_to_fp16(6.0e-8f);  // a subnormal half
        std::vector<double> fast(n), reference(n);
        for (int64_t i = 0; i < n; ++i) fast[i] = reference[i] = normal(rng);
        for (int step = 0; step < 20; ++step) {
            const float p = fp16_to_f32(f32_to_fp16(std::fabs(normal(rng)) / 7.0f));
            kernels.axpy_f16(fast.data(), p, v.data(), n);
            for (int64_t i = 0; i < n; ++i) reference[i] += static_cast<double>(p * fp16_to_f32(v[i]));
        }
        CAPTURE(n);
        CHECK(std::memcmp(fast.data(), reference.data(), sizeof(double) * n) == 0);
    }
}

TEST_CASE("dots_f16 kernel is bit-identical to the reference loop") {
    const Isa isa = vector_isa_here();
    if (isa == Isa::scalar) {
        MESSAGE("skipped: this CPU has no vector attention kernels");
        return;
    }
    const AttentionKernels kernels = attention_kernels_for(isa);
    const bool has_kernel = kernels.dots_f16 != nullptr;
    REQUIRE(has_kernel);
    std::mt19937 rng(5);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (int64_t n : {8, 12, 64, 256}) {
        for (int64_t n_keys : {1, 3, 4, 5, 9, 33}) {
            const int64_t stride = n * 3 + 8;  // keys of one head inside wider cache rows
            std::vector<uint16_t> keys(stride * n_keys);
            for (auto& k : keys) k = f32_to_fp16(normal(rng) * (rng() % 5 == 0 ? 100.0f : 1.0f));
            std::vector<float> q(n);
            for (auto& x : q) x = fp16_to_f32(f32_to_fp16(normal(rng) * 3.0f));
            std::vector<double> fast(n_keys), reference(n_keys);
            kernels.dots_f16(q.data(), keys.data(), stride, n_keys, n, fast.data());
            for (int64_t j = 0; j < n_keys; ++j) {
                double sum = 0.0;
                for (int64_t d = 0; d < n; ++d) sum += static_cast<double>(q[d] * fp16_to_f32(keys[j * stride + d]));
                reference[j] = sum;
            }
            CAPTURE(n);
            CAPTURE(n_keys);
            CHECK(std::memcmp(fast.data(), reference.data(), sizeof(double) * n_keys) == 0);
        }
    }
}

}  // namespace
}  // namespace hearth::cpu
