// quantize_row -> dequantize_row on fresh random rows: the normalised error must stay under a bound
// per type that a correct quantizer meets on every distribution and a broken one (wrong nibble order,
// wrong scale, lost high bits) misses by a wide margin.
#include <doctest/doctest.h>

#include <cstring>

#include "core/error.h"
#include "core/quant/blocks.h"
#include "core/quant/half.h"
#include "tests/quant/quant_test_util.h"

namespace hearth::test {
namespace {

struct Bound {
    DType type;
    double max_rmse;  // worst normalised RMSE allowed on well-spread inputs
};

// Measured worst cases over these distributions and sizes are about 70-80% of each bound.
constexpr Bound kBounds[] = {
    {DType::F32, 0.0},     {DType::F16, 4e-4},    {DType::BF16, 3e-3},   {DType::Q4_0, 0.12},
    {DType::Q4_1, 0.11},   {DType::Q5_0, 0.06},   {DType::Q5_1, 0.06},   {DType::Q8_0, 0.008},
    {DType::Q8_1, 0.008},  {DType::Q4_K, 0.10},   {DType::Q5_K, 0.05},   {DType::Q6_K, 0.025},
    {DType::Q8_K, 0.016},
};

// Rare large values set a block's scale and crush the rest: allow this much more for them.
constexpr double kOutlierFactor = 2.5;

// An odd number of blocks per row and an odd number of rows, so no power-of-two size hides a bug.
constexpr int64_t kBlocksPerRow = 7;
constexpr int kRows = 3;

double worst_rmse(DType type, Distribution dist, std::mt19937& rng) {
    double worst = 0.0;
    const int64_t n = kBlocksPerRow * block_elems(type) * (block_elems(type) == 1 ? 32 : 1);
    for (int row = 0; row < kRows; ++row) {
        const std::vector<float> x = random_values(dist, n, rng);
        const std::vector<float> y = dequantize_vec(type, quantize_vec(type, x), n);
        worst = std::max(worst, normalized_rmse(x, y));
    }
    return worst;
}

TEST_CASE("quantize then dequantize stays within the per-type error bound") {
    std::mt19937 rng(1234);
    for (const Bound& bound : kBounds) {
        double worst_spread = 0.0;
        double worst_outliers = 0.0;
        for (Distribution dist : kDistributions) {
            const double rmse = worst_rmse(bound.type, dist, rng);
            const bool outliers = dist == Distribution::outliers;
            INFO(type_name(bound.type) << " on " << std::string(to_string(dist)) << ": normalised RMSE " << rmse);
            CHECK(rmse <= bound.max_rmse * (outliers ? kOutlierFactor : 1.0));
            double& worst = outliers ? worst_outliers : worst_spread;
            worst = std::max(worst, rmse);
        }
        MESSAGE(type_name(bound.type) << ": worst normalised RMSE " << worst_spread << " (bound " << bound.max_rmse
                                      << "), with outliers " << worst_outliers << " (bound "
                                      << bound.max_rmse * kOutlierFactor << ")");
    }
}

TEST_CASE("more bits give smaller errors") {
    std::mt19937 rng(99);
    const auto err = [&](DType t) { return worst_rmse(t, Distribution::normal, rng); };
    CHECK(err(DType::Q5_0) < err(DType::Q4_0));
    CHECK(err(DType::Q5_1) < err(DType::Q4_1));
    CHECK(err(DType::Q8_0) < err(DType::Q5_0));
    CHECK(err(DType::Q5_K) < err(DType::Q4_K));
    CHECK(err(DType::Q6_K) < err(DType::Q5_K));
}

TEST_CASE("zero and constant rows survive exactly where the format can hold them") {
    for (const Bound& bound : kBounds) {
        const int64_t n = 2 * block_elems(bound.type) * (block_elems(bound.type) == 1 ? 32 : 1);
        INFO(type_name(bound.type));
        const std::vector<float> zeros(static_cast<size_t>(n), 0.0f);
        for (float v : dequantize_vec(bound.type, quantize_vec(bound.type, zeros), n)) CHECK(v == 0.0f);
        // A constant 0.5 is exact in every type: its scale or min is a power of two.
        const std::vector<float> halves(static_cast<size_t>(n), 0.5f);
        for (float v : dequantize_vec(bound.type, quantize_vec(bound.type, halves), n))
            CHECK(v == doctest::Approx(0.5).epsilon(1e-3));
    }
}

TEST_CASE("Q8_K keeps the sums of each 16 quants and Q8_1 keeps d * sum") {
    std::mt19937 rng(7);
    const std::vector<float> x = random_values(Distribution::normal, 3 * kQK_K, rng);
    const std::vector<uint8_t> q8k = quantize_vec(DType::Q8_K, x);
    for (int b = 0; b < 3; ++b) {
        BlockQ8_K block;
        std::memcpy(&block, q8k.data() + b * sizeof(BlockQ8_K), sizeof(block));
        for (int j = 0; j < kQK_K / 16; ++j) {
            int sum = 0;
            for (int i = 0; i < 16; ++i) sum += block.qs[16 * j + i];
            CHECK(block.bsums[j] == sum);
        }
    }
    const std::vector<uint8_t> q81 = quantize_vec(DType::Q8_1, std::span(x).first(3 * kQK));
    const std::vector<float> deq = dequantize_vec(DType::Q8_1, q81, 3 * kQK);
    for (int b = 0; b < 3; ++b) {
        BlockQ8_1 block;
        std::memcpy(&block, q81.data() + b * sizeof(BlockQ8_1), sizeof(block));
        double sum = 0.0;
        for (int i = 0; i < kQK; ++i) sum += deq[static_cast<size_t>(b * kQK + i)];
        CHECK(fp16_to_f32(block.s) == doctest::Approx(sum).epsilon(2e-3));
    }
}

TEST_CASE("row lengths that are not whole blocks are rejected") {
    std::vector<float> x(300, 1.0f);
    std::vector<uint8_t> bytes(4096);
    CHECK_THROWS_AS(quantize_row(DType::Q4_K, x.data(), bytes.data(), 300), Error);
    CHECK_THROWS_AS(dequantize_row(DType::Q8_0, bytes.data(), x.data(), 33), Error);
    CHECK_THROWS_AS(dequantize_row(DType::Q8_0, bytes.data(), x.data(), -32), Error);
    try {
        dequantize_row(DType::Q6_K, bytes.data(), x.data(), 255);
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::bad_request);
        CHECK(std::string(e.what()).find("Q6_K") != std::string::npos);
    }
}

TEST_CASE("types without a reference kernel are rejected, naming the type and the supported list") {
    std::vector<float> x(256, 1.0f);
    std::vector<uint8_t> bytes(4096);
    for (DType type : {DType::Q2_K, DType::Q3_K, DType::I8, DType::F64}) {
        try {
            dequantize_row(type, bytes.data(), x.data(), 256);
            FAIL("expected an error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::unsupported);
            const std::string message = e.what();
            CHECK(message.find(type_name(type)) != std::string::npos);
            CHECK(message.find("Q4_K") != std::string::npos);
        }
        CHECK_THROWS_AS(quantize_row(type, x.data(), bytes.data(), 256), Error);
    }
}

}  // namespace
}  // namespace hearth::test
