// The fast math kernels (fast_math.h) are not bit-exact, so they are held to error bounds against the
// same functions computed in double: softmax probabilities, P.V and SwiGLU within float roundings.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "backends/cpu/kernels/fast_math.h"
#include "core/quant/half.h"

namespace hearth::cpu {
namespace {

// The kernels this CPU has (none on scalar-only or pre-AVX-512 machines).
FastMathKernels kernels_here() {
    const CpuFeatures cpu = detect_cpu_features();
    if (!cpu.avx512) MESSAGE("skipped: this CPU has no fast math kernels");
    return fast_math_kernels_for(cpu.avx512 ? Isa::avx512 : Isa::scalar);
}

TEST_CASE("scalar has no fast math kernels (it keeps the reference loops); AVX2 and NEON have flash attention only") {
    CHECK((fast_math_kernels_for(Isa::scalar).softmax == nullptr));
    CHECK((fast_math_kernels_for(Isa::scalar).swiglu == nullptr));
    CHECK((fast_math_kernels_for(Isa::scalar).flash_f16 == nullptr));
    CHECK((fast_math_kernels_for(Isa::scalar).flash_q8_0 == nullptr));
#if defined(__x86_64__)
    CHECK((fast_math_kernels_for(Isa::avx2).softmax == nullptr));
    CHECK((fast_math_kernels_for(Isa::avx2).flash_f16 != nullptr));
#elif defined(__aarch64__)
    CHECK((fast_math_kernels_for(Isa::neon).softmax == nullptr));
    CHECK((fast_math_kernels_for(Isa::neon).flash_f16 != nullptr));
#endif
}

TEST_CASE("fast softmax is within 4e-6 relative of the softmax in double") {
    const FastMathKernels k = kernels_here();
    if (k.softmax == nullptr) return;
    std::mt19937 rng(17);
    std::normal_distribution<double> normal(0.0, 1.0);
    for (int64_t n : {1, 7, 16, 33, 300, 1025}) {
        for (int heads : {1, 3, 4}) {
            for (double spread : {0.1, 10.0, 200.0}) {  // nearly flat to one dominant key
                std::vector<double> dots(static_cast<size_t>(heads * n));
                for (double& d : dots) d = normal(rng) * spread;
                const float scale = 0.125f;
                std::vector<float> probs(dots.size(), -1.0f);
                k.softmax(dots.data(), heads, n, scale, probs.data());
                int bad = 0;
                for (int h = 0; h < heads; ++h) {
                    std::vector<double> s(static_cast<size_t>(n));
                    for (int64_t j = 0; j < n; ++j) s[j] = static_cast<double>(static_cast<float>(dots[h * n + j]) * scale);
                    const double top = *std::max_element(s.begin(), s.end());
                    double sum = 0.0;
                    for (double v : s) sum += std::exp(v - top);
                    for (int64_t j = 0; j < n; ++j) {
                        const double expected = std::exp(s[j] - top) / sum;
                        if (std::fabs(probs[h * n + j] - expected) > 4e-6 * expected + 1e-37) ++bad;
                    }
                }
                INFO("n=" << n << " heads=" << heads << " spread=" << spread);
                CHECK(bad == 0);
            }
        }
    }
}

TEST_CASE("fast softmax: a score of -inf gets probability 0, an infinite exp stays out of NaN") {
    const FastMathKernels k = kernels_here();
    if (k.softmax == nullptr || k.swiglu == nullptr) return;
    std::vector<double> dots(20, 1.0);
    dots[3] = -std::numeric_limits<double>::infinity();
    std::vector<float> probs(dots.size());
    k.softmax(dots.data(), 1, static_cast<int64_t>(dots.size()), 1.0f, probs.data());
    CHECK(probs[3] == 0.0f);
    CHECK(probs[0] == doctest::Approx(1.0 / 19.0).epsilon(1e-6));
    const float gate[3] = {std::numeric_limits<float>::infinity(), -1000.0f, 1000.0f};
    const float up[3] = {1.0f, 1.0f, 1.0f};
    float out[3];
    k.swiglu(gate, up, out, 3);
    CHECK(std::isinf(out[0]));
    CHECK(out[1] == 0.0f);
    CHECK(out[2] == 1000.0f);
}

TEST_CASE("fast P.V adds probabilities times f16 values to the accumulators within float rounding") {
    const FastMathKernels k = kernels_here();
    if (k.axpy_f16 == nullptr) return;
    std::mt19937 rng(23);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::uniform_real_distribution<float> unit(0.0f, 1.0f);
    for (int64_t n : {64, 80, 128}) {
        for (int64_t n_keys : {1, 5, 33}) {
            for (int heads : {1, 3, 4, 6}) {
                const int64_t value_stride = 2 * n + 8;  // one head's values inside wider cache rows
                std::vector<uint16_t> values(static_cast<size_t>(value_stride * n_keys));
                for (auto& v : values) v = f32_to_fp16(normal(rng) * 4.0f);
                const int64_t probs_stride = n_keys + 3, acc_stride = n + 5;
                std::vector<float> probs(static_cast<size_t>(probs_stride * heads));
                for (auto& p : probs) p = unit(rng);
                std::vector<double> acc(static_cast<size_t>(acc_stride * heads));
                for (auto& a : acc) a = normal(rng);
                std::vector<double> expected = acc, magnitude(acc.size(), 0.0);
                for (int h = 0; h < heads; ++h)
                    for (int64_t d = 0; d < n; ++d)
                        for (int64_t j = 0; j < n_keys; ++j) {
                            const double term = static_cast<double>(probs[h * probs_stride + j]) * fp16_to_f32(values[j * value_stride + d]);
                            expected[h * acc_stride + d] += term;
                            magnitude[h * acc_stride + d] += std::fabs(term);
                        }
                k.axpy_f16(acc.data(), acc_stride, probs.data(), probs_stride, heads, values.data(), value_stride, n_keys, n);
                int bad = 0;
                for (size_t i = 0; i < acc.size(); ++i)
                    if (std::fabs(acc[i] - expected[i]) > 1e-6 * (magnitude[i] + 1.0)) ++bad;
                INFO("n=" << n << " keys=" << n_keys << " heads=" << heads);
                CHECK(bad == 0);
            }
        }
    }
}

TEST_CASE("fast SwiGLU is within 1e-6 relative of gate * sigmoid(gate) * up in double") {
    const FastMathKernels k = kernels_here();
    if (k.swiglu == nullptr) return;
    std::mt19937 rng(19);
    std::uniform_real_distribution<float> wide(-100.0f, 100.0f);
    std::normal_distribution<float> normal(0.0f, 3.0f);
    for (int64_t n : {1, 15, 16, 17, 1000}) {
        std::vector<float> gate(static_cast<size_t>(n)), up(static_cast<size_t>(n)), out(static_cast<size_t>(n) + 1, -7.0f);
        for (int64_t i = 0; i < n; ++i) {
            gate[i] = i % 3 == 0 ? wide(rng) : normal(rng);
            up[i] = normal(rng);
        }
        k.swiglu(gate.data(), up.data(), out.data(), n);
        int bad = 0;
        for (int64_t i = 0; i < n; ++i) {
            const double g = gate[i];
            const double expected = g / (1.0 + std::exp(-g)) * up[i];
            // Below -88, exp(-gate) leaves float's range in the reference's expf too: both give -0.
            if (std::fabs(out[i] - expected) > 1e-6 * std::fabs(expected) + 1e-30) ++bad;
        }
        INFO("n=" << n);
        CHECK(bad == 0);
        CHECK(out[n] == -7.0f);  // nothing past the end
    }
}

// RMS norm's sum of squares: the same float squares added in double in another order, so within n
// double roundings (relative, all terms being positive) of the reference's sequential sum.
TEST_CASE("fast sum of squares is within n double roundings of the sequential double sum") {
    const FastMathKernels k = kernels_here();
    if (k.sum_squares == nullptr) return;
    std::mt19937 rng(29);
    std::normal_distribution<float> normal(0.0f, 3.0f);
    for (int64_t n : {1, 15, 16, 17, 576, 2048, 3001}) {
        std::vector<float> x(static_cast<size_t>(n) + 16, 1e30f);  // past the end: must not be read
        for (int64_t i = 0; i < n; ++i) x[i] = i % 7 == 0 ? normal(rng) * 1e4f : normal(rng);
        double expected = 0.0;
        for (int64_t i = 0; i < n; ++i) expected += static_cast<double>(x[i] * x[i]);
        const double got = k.sum_squares(x.data(), n);
        INFO("n=" << n);
        CHECK(std::fabs(got - expected) <= static_cast<double>(n) * 0x1p-52 * expected);
    }
}

}  // namespace
}  // namespace hearth::cpu
