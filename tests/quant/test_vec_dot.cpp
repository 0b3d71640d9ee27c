// vec_dot on quantized rows must equal the plain dot of the two dequantized rows: the integer sums
// times scales are an exact rewrite of it, so only float rounding (and Q8_1's fp16 s) may differ.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>

#include "core/error.h"
#include "core/quant/blocks.h"
#include "core/quant/half.h"
#include "tests/quant/quant_test_util.h"

namespace hearth::test {
namespace {

constexpr DType kWeightTypes[] = {DType::F32,  DType::F16,  DType::BF16, DType::Q4_0, DType::Q4_1, DType::Q5_0,
                                  DType::Q5_1, DType::Q8_0, DType::Q4_K, DType::Q5_K, DType::Q6_K};

// Float rounding of per-block partial sums, relative to sum |w_i a_i|.
constexpr double kRoundingTolerance = 2e-6;

struct DotCase {
    double reference;  // dot of the dequantized rows, in double
    double magnitude;  // sum of |w_i a_i|: the scale the rounding error is relative to
    double fp16_s_slack;  // Q8_1 only: what the fp16 roundings of s and d can move the result
    float got;
};

// Q4_1 / Q5_1 add m * s per block, with s = fp16(d * sum(q)) computed from the float d while the
// dequantized activations use fp16(d): two fp16 roundings, each up to 2^-11 of s, separate them.
double fp16_s_slack(DType weight, const std::vector<uint8_t>& w, const std::vector<uint8_t>& a, int64_t nblocks) {
    if (vec_dot_type(weight) != DType::Q8_1) return 0.0;
    const size_t weight_block = dtype_info(weight).block_bytes;
    double slack = 0.0;
    for (int64_t b = 0; b < nblocks; ++b) {
        uint16_t m = 0;  // Q4_1 and Q5_1 both store d then m first
        std::memcpy(&m, w.data() + b * weight_block + 2, sizeof(m));
        BlockQ8_1 act;
        std::memcpy(&act, a.data() + b * sizeof(BlockQ8_1), sizeof(act));
        slack += std::fabs(fp16_to_f32(m)) * std::fabs(fp16_to_f32(act.s)) * std::ldexp(1.0, -10);
    }
    return slack;
}

// blockwise: the K types' vec_dot_blockwise instead of vec_dot.
DotCase run_dot(DType weight, Distribution dist, int64_t n, std::mt19937& rng, bool blockwise = false) {
    const DType act_type = vec_dot_type(weight);
    const std::vector<float> w = random_values(dist, n, rng);
    const std::vector<float> a = random_values(Distribution::normal, n, rng);
    const std::vector<uint8_t> qw = quantize_vec(weight, w);
    const std::vector<uint8_t> qa = quantize_vec(act_type, a);
    const std::vector<float> dw = dequantize_vec(weight, qw, n);
    const std::vector<float> da = dequantize_vec(act_type, qa, n);
    DotCase c{0.0, 0.0, 0.0, blockwise ? vec_dot_blockwise(weight, qw.data(), qa.data(), n) : vec_dot(weight, qw.data(), qa.data(), n)};
    for (size_t i = 0; i < dw.size(); ++i) {
        c.reference += static_cast<double>(dw[i]) * da[i];
        c.magnitude += std::fabs(static_cast<double>(dw[i]) * da[i]);
    }
    c.fp16_s_slack = fp16_s_slack(weight, qw, qa, n / block_elems(act_type));
    return c;
}

TEST_CASE("vec_dot equals the dot of the dequantized rows") {
    std::mt19937 rng(4242);
    for (DType weight : kWeightTypes) {
        // Odd block counts of the activation type: 1, 3 and 13 blocks.
        for (int64_t blocks : {1, 3, 13}) {
            for (Distribution dist : kDistributions) {
                const int64_t n = blocks * block_elems(vec_dot_type(weight)) * (block_elems(weight) == 1 ? 32 : 1);
                const DotCase c = run_dot(weight, dist, n, rng);
                INFO(type_name(weight) << " x " << type_name(vec_dot_type(weight)) << ", n " << n << ", "
                                       << std::string(to_string(dist)) << ": got " << c.got
                                       << ", expected " << c.reference);
                const double allowed = kRoundingTolerance * blocks * c.magnitude + c.fp16_s_slack + 1e-30;
                CHECK(std::fabs(c.got - c.reference) <= allowed);
            }
        }
    }
}

// Hearth's blockwise K arithmetic (one float step per super-block) is held to the same bound.
TEST_CASE("vec_dot_blockwise equals the dot of the dequantized rows") {
    std::mt19937 rng(4343);
    for (DType weight : {DType::Q4_K, DType::Q5_K, DType::Q6_K}) {
        for (int64_t blocks : {1, 3, 13}) {
            for (Distribution dist : kDistributions) {
                const DotCase c = run_dot(weight, dist, blocks * 256, rng, true);
                INFO(type_name(weight) << ", blocks " << blocks << ", " << std::string(to_string(dist)) << ": got "
                                       << c.got << ", expected " << c.reference);
                CHECK(std::fabs(c.got - c.reference) <= kRoundingTolerance * blocks * c.magnitude + 1e-30);
            }
        }
    }
}

TEST_CASE("vec_dot_blockwise takes only the K types and whole super-blocks") {
    std::vector<uint8_t> w(4096), a(4096);
    CHECK_THROWS_AS(vec_dot_blockwise(DType::Q4_K, w.data(), a.data(), 32), Error);
    try {
        (void)vec_dot_blockwise(DType::Q4_0, w.data(), a.data(), 256);
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::unsupported);
    }
}

TEST_CASE("vec_dot of quantized rows approximates the exact float dot") {
    // Guards against a kernel and a dequantizer sharing one mistake: compare with the unquantized rows.
    std::mt19937 rng(77);
    for (DType weight : kWeightTypes) {
        const int64_t n = 8 * 256;
        const std::vector<float> w = random_values(Distribution::normal, n, rng);
        const std::vector<float> a = random_values(Distribution::normal, n, rng);
        double exact = 0.0;
        double magnitude = 0.0;
        for (size_t i = 0; i < w.size(); ++i) {
            exact += static_cast<double>(w[i]) * a[i];
            magnitude += std::fabs(static_cast<double>(w[i]) * a[i]);
        }
        const std::vector<uint8_t> qw = quantize_vec(weight, w);
        const std::vector<uint8_t> qa = quantize_vec(vec_dot_type(weight), a);
        const float got = vec_dot(weight, qw.data(), qa.data(), n);
        INFO(type_name(weight) << ": got " << got << ", exact " << exact);
        CHECK(std::fabs(got - exact) <= 0.02 * magnitude);
    }
}

TEST_CASE("vec_dot_type follows ggml's CPU pairing") {
    CHECK(vec_dot_type(DType::Q4_0) == DType::Q8_0);
    CHECK(vec_dot_type(DType::Q5_0) == DType::Q8_0);
    CHECK(vec_dot_type(DType::Q8_0) == DType::Q8_0);
    CHECK(vec_dot_type(DType::Q4_1) == DType::Q8_1);
    CHECK(vec_dot_type(DType::Q5_1) == DType::Q8_1);
    CHECK(vec_dot_type(DType::Q4_K) == DType::Q8_K);
    CHECK(vec_dot_type(DType::Q5_K) == DType::Q8_K);
    CHECK(vec_dot_type(DType::Q6_K) == DType::Q8_K);
    CHECK(vec_dot_type(DType::F32) == DType::F32);
    CHECK(vec_dot_type(DType::F16) == DType::F16);
    CHECK(vec_dot_type(DType::BF16) == DType::BF16);
    for (DType type : {DType::Q8_1, DType::Q8_K, DType::Q2_K, DType::I32}) {
        INFO(type_name(type));
        try {
            (void)vec_dot_type(type);
            FAIL("expected an error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::unsupported);
            CHECK(std::string(e.what()).find(type_name(type)) != std::string::npos);
        }
    }
}

TEST_CASE("vec_dot rejects rows that are not whole activation blocks") {
    std::vector<uint8_t> w(4096);
    std::vector<uint8_t> a(4096);
    CHECK_THROWS_AS(vec_dot(DType::Q4_K, w.data(), a.data(), 32), Error);  // Q8_K blocks are 256 long
    CHECK_THROWS_AS(vec_dot(DType::Q4_0, w.data(), a.data(), 48), Error);
    CHECK_NOTHROW(vec_dot(DType::F16, w.data(), a.data(), 7));
}

}  // namespace
}  // namespace hearth::test
