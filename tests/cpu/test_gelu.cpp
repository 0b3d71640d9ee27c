// GELU through the f16 table (gelu.h) against its formula, bit for bit, on every instruction set here:
// random gate values across and beyond (-10, 10), the boundaries, infinities and NaN, odd lengths,
// batches of rows, and the op writing over its gate as Gemma's FFN does.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/gelu.h"
#include "core/quant/half.h"
#include "tests/cpu/isa_requests.h"

namespace hearth::cpu {
namespace {

std::vector<float> gate_values(int64_t n, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.0f, 4.0f);
    const float specials[] = {0.0f, -0.0f, 10.0f, -10.0f, std::nextafter(10.0f, 0.0f), std::nextafter(-10.0f, 0.0f),
                              9.998f, -9.998f, 1e-8f, -3e-6f, 65504.0f, 1e30f, -1e30f,
                              std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                              std::numeric_limits<float>::quiet_NaN()};
    std::vector<float> values(static_cast<size_t>(n));
    for (size_t i = 0; i < values.size(); ++i)
        values[i] = i % 5 == 0 ? specials[(i / 5) % std::size(specials)] : normal(rng);
    return values;
}

// The same bits, or both NaN (the conversion may keep a NaN's payload or not).
bool same(float a, float b) { return (std::isnan(a) && std::isnan(b)) || std::bit_cast<uint32_t>(a) == std::bit_cast<uint32_t>(b); }

TEST_CASE("gelu_glu through the f16 table equals gelu_tanh_f16(gate) * up bit for bit on every instruction set") {
    std::mt19937 rng(29);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (IsaRequest isa : isa_requests_here()) {
        CpuBackend backend(CpuOptions{.n_threads = 2, .isa = isa});
        for (int64_t rows : {1, 3}) {
            for (int64_t cols : {1, 7, 255, 256, 257, 2051}) {
                const std::vector<float> gate = gate_values(rows * cols, rng);
                std::vector<float> up(gate.size());
                for (float& u : up) u = normal(rng);
                std::vector<float> out(gate.size(), -1.0f), in_place = gate;
                backend.gelu_glu(Tensor{const_cast<float*>(gate.data()), rows, cols}, Tensor{up.data(), rows, cols},
                                 Tensor{out.data(), rows, cols});
                backend.gelu_glu(Tensor{in_place.data(), rows, cols}, Tensor{up.data(), rows, cols}, Tensor{in_place.data(), rows, cols});
                int mismatches = 0;
                for (size_t i = 0; i < gate.size(); ++i) {
                    const float expected = gelu_tanh_f16(gate[i]) * up[i];
                    if (!same(out[i], expected) || !same(in_place[i], expected)) ++mismatches;
                }
                CHECK_MESSAGE(mismatches == 0, "isa ", static_cast<int>(isa), ", ", rows, " x ", cols);
            }
        }
    }
}

TEST_CASE("gelu_tanh_f16 is 0 from -10 down, x from 10 up, and an f16 value between") {
    CHECK(gelu_tanh_f16(-10.0f) == 0.0f);
    CHECK(gelu_tanh_f16(-1e30f) == 0.0f);
    CHECK(gelu_tanh_f16(10.0f) == 10.0f);
    CHECK(gelu_tanh_f16(12345.678f) == 12345.678f);  // not rounded to f16
    CHECK(gelu_tanh_f16(0.0f) == 0.0f);
    for (float x : {-3.7f, -0.5f, 0.3f, 1.0f, 9.9f}) {
        const float y = gelu_tanh_f16(x);
        CHECK(y == fp16_to_f32(f32_to_fp16(y)));
        CHECK(std::abs(y - 0.5f * x * (1.0f + std::erf(x / std::sqrt(2.0f)))) < 0.01f * (1.0f + std::abs(x)));
    }
}

}  // namespace
}  // namespace hearth::cpu
