// The attention kernels return exactly what the reference loops in ops_attention.cpp compute.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "backends/cpu/kernels/attention_kernels.h"
#include "core/quant/half.h"

namespace hearth::cpu {
namespace {

// The instruction sets with attention kernels this CPU runs (AVX2, AVX-512 or NEON).
std::vector<Isa> vector_isas_here() {
    const CpuFeatures features = detect_cpu_features();
    std::vector<Isa> isas;
#if defined(__aarch64__)
    if (features.neon_dotprod) isas.push_back(Isa::neon);
#else
    if (features.avx2) isas.push_back(Isa::avx2);
    if (features.avx512) isas.push_back(Isa::avx512);
#endif
    if (isas.empty()) MESSAGE("skipped: this CPU has no vector attention kernels");
    return isas;
}

TEST_CASE("scalar has no attention kernels") {
    const AttentionKernels scalar = attention_kernels_for(Isa::scalar);
    CHECK((scalar.axpy_f16 == nullptr));
    CHECK((scalar.dots_f16 == nullptr));
    CHECK((scalar.round_f16 == nullptr));
    CHECK((scalar.store_f16 == nullptr));
}

TEST_CASE("round_f16 and store_f16 kernels round exactly as f32_to_fp16") {
    for (Isa isa : vector_isas_here()) {
        const AttentionKernels kernels = attention_kernels_for(isa);
        if (kernels.round_f16 == nullptr || kernels.store_f16 == nullptr) continue;
        std::mt19937 rng(21);
        std::uniform_int_distribution<uint32_t> bits;
        std::vector<float> values;
        for (int i = 0; i < 20000; ++i) {  // every exponent and mantissa pattern, NaN excluded
            const float f = std::bit_cast<float>(bits(rng));
            if (!std::isnan(f)) values.push_back(f);
        }
        for (float f : {0.0f, -0.0f, 65504.0f, 65519.99f, 65520.0f, 1e-8f, 5.9604645e-8f, 2.9802322e-8f,
                        6.1035156e-5f, 1.0f + 1.0f / 2048.0f, 1.0f + 3.0f / 2048.0f})
            values.push_back(f);
        values.push_back(1.0f);  // an odd count leaves a tail for the scalar loop
        std::vector<float> fast = values;
        kernels.round_f16(fast.data(), static_cast<int64_t>(fast.size()));
        std::vector<uint16_t> stored(values.size());
        kernels.store_f16(values.data(), stored.data(), static_cast<int64_t>(values.size()));
        int bad = 0, bad_stores = 0;
        for (size_t i = 0; i < values.size(); ++i) {
            if (std::bit_cast<uint32_t>(fast[i]) != std::bit_cast<uint32_t>(fp16_to_f32(f32_to_fp16(values[i])))) ++bad;
            if (stored[i] != f32_to_fp16(values[i])) ++bad_stores;
        }
        CAPTURE(isa_name(isa));
        CHECK(bad == 0);
        CHECK(bad_stores == 0);
    }
}

TEST_CASE("axpy_f16 kernel is bit-identical to the reference loop for several heads") {
    for (Isa isa : vector_isas_here()) {
        const AttentionKernels kernels = attention_kernels_for(isa);
        REQUIRE((kernels.axpy_f16 != nullptr));
        std::mt19937 rng(11);
        std::normal_distribution<float> normal(0.0f, 1.0f);
        for (int64_t n : {1, 3, 4, 7, 40, 64, 67, 136, 256}) {
            for (int64_t n_keys : {1, 2, 9, 20}) {
                for (int heads : {1, 2, 3, 4, 6}) {
                    const int64_t stride = n * 2 + 8;  // values of one head inside wider cache rows
                    std::vector<uint16_t> values(stride * n_keys);
                    for (auto& x : values) x = f32_to_fp16(normal(rng) * (rng() % 4 == 0 ? 300.0f : 1.0f));
                    values[0] = f32_to_fp16(6.0e-8f);  // a subnormal half
                    const int64_t probs_stride = n_keys + 3;
                    std::vector<float> probs(probs_stride * heads);
                    for (auto& p : probs) p = fp16_to_f32(f32_to_fp16(std::fabs(normal(rng)) / 7.0f));
                    const int64_t acc_stride = n + 5;
                    std::vector<double> fast(acc_stride * heads), reference(acc_stride * heads);
                    for (size_t i = 0; i < fast.size(); ++i) fast[i] = reference[i] = normal(rng);
                    kernels.axpy_f16(fast.data(), acc_stride, probs.data(), probs_stride, heads, values.data(), stride,
                                     n_keys, n);
                    for (int h = 0; h < heads; ++h)
                        for (int64_t j = 0; j < n_keys; ++j)
                            for (int64_t i = 0; i < n; ++i)
                                reference[h * acc_stride + i] += static_cast<double>(
                                    probs[h * probs_stride + j] * fp16_to_f32(values[j * stride + i]));
                    CAPTURE(isa_name(isa));
                    CAPTURE(n);
                    CAPTURE(n_keys);
                    CAPTURE(heads);
                    CHECK(std::memcmp(fast.data(), reference.data(), sizeof(double) * fast.size()) == 0);
                }
            }
        }
    }
}

TEST_CASE("dots_f16 kernel is bit-identical to the reference loop for several heads") {
    for (Isa isa : vector_isas_here()) {
        const AttentionKernels kernels = attention_kernels_for(isa);
        REQUIRE((kernels.dots_f16 != nullptr));
        std::mt19937 rng(5);
        std::normal_distribution<float> normal(0.0f, 1.0f);
        for (int64_t n : {8, 12, 64, 256}) {
            for (int64_t n_keys : {1, 3, 4, 5, 9, 33}) {
                for (int heads : {1, 2, 3, 4, 6}) {
                    const int64_t stride = n * 3 + 8;  // keys of one head inside wider cache rows
                    std::vector<uint16_t> keys(stride * n_keys);
                    for (auto& k : keys) k = f32_to_fp16(normal(rng) * (rng() % 5 == 0 ? 100.0f : 1.0f));
                    const int64_t q_stride = n + 4;
                    std::vector<float> q(q_stride * heads);
                    for (auto& x : q) x = fp16_to_f32(f32_to_fp16(normal(rng) * 3.0f));
                    const int64_t out_stride = n_keys + 2;
                    std::vector<double> fast(out_stride * heads, -1.0), reference(out_stride * heads, -1.0);
                    kernels.dots_f16(q.data(), q_stride, heads, keys.data(), stride, n_keys, n, fast.data(), out_stride);
                    for (int h = 0; h < heads; ++h) {
                        for (int64_t j = 0; j < n_keys; ++j) {
                            double sum = 0.0;
                            for (int64_t d = 0; d < n; ++d)
                                sum += static_cast<double>(q[h * q_stride + d] * fp16_to_f32(keys[j * stride + d]));
                            reference[h * out_stride + j] = sum;
                        }
                    }
                    CAPTURE(isa_name(isa));
                    CAPTURE(n);
                    CAPTURE(n_keys);
                    CAPTURE(heads);
                    CHECK(std::memcmp(fast.data(), reference.data(), sizeof(double) * fast.size()) == 0);
                }
            }
        }
    }
}

}  // namespace
}  // namespace hearth::cpu
