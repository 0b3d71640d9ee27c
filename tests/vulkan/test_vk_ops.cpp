// Every op on the Vulkan device against the CPU backend on the same inputs: the results must be
// equal bit for bit (the shaders follow the CPU reference's arithmetic step by step).
#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <limits>

#include "core/quant/quant.h"
#include "tests/vulkan/vk_test_util.h"

namespace hearth::test {
namespace {

struct MatmulCase {
    DType type;
    int64_t in, out, rows;
};

std::vector<uint8_t> quantized_rows(DType type, const std::vector<float>& values, int64_t in) {
    const uint64_t stride = row_bytes(dtype_info(type), static_cast<uint64_t>(in));
    const size_t n_rows = values.size() / static_cast<size_t>(in);
    std::vector<uint8_t> bytes(stride * n_rows);
    for (size_t r = 0; r < n_rows; ++r) quantize_row(type, values.data() + r * in, bytes.data() + r * stride, in);
    return bytes;
}

// Weights with outliers and exact zeros too, so every branch of the quantizers is taken.
std::vector<float> weight_values(size_t n, uint32_t seed) {
    std::vector<float> v = normal_values(n, seed);
    for (size_t i = 0; i < n; i += 97) v[i] *= 40.0f;
    for (size_t i = 5; i < n; i += 61) v[i] = 0.0f;
    return v;
}

constexpr MatmulCase kMatmulCases[] = {
    {DType::F32, 37, 11, 3},   {DType::F16, 37, 9, 2},    {DType::BF16, 45, 5, 3},  {DType::Q4_0, 96, 33, 3},
    {DType::Q4_1, 64, 17, 2},  {DType::Q5_0, 96, 7, 3},   {DType::Q5_1, 64, 13, 1}, {DType::Q8_0, 160, 9, 4},
    {DType::Q4_K, 512, 11, 3}, {DType::Q5_K, 256, 13, 2}, {DType::Q6_K, 512, 7, 3}, {DType::Q4_0, 64, 3, 1},
    // Four or more rows: each weight block serves four activation rows at a time, with a remainder.
    {DType::Q4_0, 96, 33, 7},  {DType::Q4_1, 64, 9, 5},   {DType::Q5_0, 64, 5, 9},  {DType::Q5_1, 96, 7, 4},
    {DType::Q4_K, 256, 5, 6},  {DType::Q5_K, 512, 3, 5},  {DType::Q6_K, 256, 9, 9},  {DType::F16, 33, 5, 6},
};

void check_matmuls(Pair& pair) {
    uint32_t seed = 1;
    for (const MatmulCase& c : kMatmulCases) {
        CAPTURE(dtype_info(c.type).name);
        CAPTURE(c.in);
        CAPTURE(c.out);
        CAPTURE(c.rows);
        pair.begin_step();
        const auto w = pair.upload(c.type, c.in, c.out, quantized_rows(c.type, weight_values(c.in * c.out, seed++), c.in));
        std::vector<float> x = normal_values(static_cast<size_t>(c.in * c.rows), seed++, 2.0f);
        x[3] = 250.0f;  // an outlier sets one block's scale
        const auto xt = pair.tensor(x, c.rows, c.in);
        const Tensor out_vk = pair.vk().alloc(c.rows, c.out);
        const Tensor out_cpu = pair.cpu().alloc(c.rows, c.out);
        pair.vk().matmul(w.vk, xt.vk, out_vk);
        pair.cpu().matmul(w.cpu, xt.cpu, out_cpu);
        const std::vector<float> got = pair.read_vk(out_vk);
        const std::vector<float> want = pair.read_cpu(out_cpu);
        CHECK(count_bit_differences(got, want) == 0);
        CHECK(std::any_of(want.begin(), want.end(), [](float v) { return v != 0.0f; }));  // not all zero
    }
}

struct MatmulConfig {
    int team;
    VulkanFeatureUse integer_dot, subgroup_gather;
};

constexpr VulkanFeatureUse kOff = VulkanFeatureUse::off, kOn = VulkanFeatureUse::on;
constexpr MatmulConfig kMatmulConfigs[] = {
    {1, kOff, kOff}, {4, kOff, kOff}, {16, kOff, kOff}, {64, kOff, kOff},  // shared-memory teams
    {1, kOn, kOff},  {16, kOn, kOff},                                      // integer dot products
    // Subgroup gathers: teams up to lavapipe's subgroup of 8; 16 fits in GPUs' subgroups (and falls
    // back to shared memory on lavapipe).
    {4, kOff, kOn},  {8, kOff, kOn},  {8, kOn, kOn}, {16, kOn, kOn},
    // Single invocations sharing each activation block's words within a subgroup (CPU devices).
    {1, kOff, kOn},  {1, kOn, kOn},
};

// Team sizes, integer dot products and subgroup gathers change how the integer parts are computed
// and how invocations share a row's blocks, never the order of the float sums.
TEST_CASE("vulkan matmul equals the CPU backend bit for bit, every weight type, odd sizes, every variant") {
    for (const MatmulConfig& config : kMatmulConfigs) {
        CAPTURE(config.team);
        CAPTURE(config.integer_dot == kOn);
        CAPTURE(config.subgroup_gather == kOn);
        std::unique_ptr<Backend> vulkan;
        try {
            vulkan = make_vulkan_backend(VulkanOptions{-1, config.team, config.integer_dot, config.subgroup_gather});
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::unsupported) throw;
            MESSAGE("variant skipped: " << std::string(e.what()));
            continue;
        }
        const std::string description = vulkan->device_description();
        CHECK(description.find(config.integer_dot == kOn ? "integer dot on" : "integer dot off") != std::string::npos);
        Pair pair(std::move(vulkan));
        check_matmuls(pair);
    }
}

TEST_CASE("vulkan embed dequantizes rows of every type as the CPU backend does") {
    auto vulkan = try_vulkan();
    if (!vulkan) return;
    Pair pair(std::move(vulkan));
    const std::vector<int32_t> tokens = {3, 0, 6, 3, 1};
    uint32_t seed = 100;
    for (const MatmulCase& c : kMatmulCases) {
        CAPTURE(dtype_info(c.type).name);
        pair.begin_step();
        const int64_t vocab = 7;
        const std::vector<float> values = weight_values(c.in * vocab, seed++);
        const auto table = pair.upload(c.type, c.in, vocab, quantized_rows(c.type, values, c.in));
        const Tensor out_vk = pair.vk().alloc(static_cast<int64_t>(tokens.size()), c.in);
        const Tensor out_cpu = pair.cpu().alloc(static_cast<int64_t>(tokens.size()), c.in);
        pair.vk().embed(table.vk, tokens, out_vk);
        pair.cpu().embed(table.cpu, tokens, out_cpu);
        CHECK(count_bit_differences(pair.read_vk(out_vk), pair.read_cpu(out_cpu)) == 0);
    }
    const auto table = pair.upload(DType::F32, 4, 3, float_bytes(normal_values(12, 9)));
    const Tensor out = pair.vk().alloc(1, 4);
    const std::vector<int32_t> bad = {3};
    CHECK_THROWS_AS(pair.vk().embed(table.vk, bad, out), Error);
}

TEST_CASE("vulkan rms_norm, add, add_bias and scale equal the CPU backend") {
    auto vulkan = try_vulkan();
    if (!vulkan) return;
    Pair pair(std::move(vulkan));
    for (const int64_t cols : {37, 576, 2048}) {
        CAPTURE(cols);
        const int64_t rows = 3;
        pair.begin_step();
        const auto x = pair.tensor(normal_values(static_cast<size_t>(rows * cols), 7, 3.0f), rows, cols);
        const auto y = pair.tensor(normal_values(static_cast<size_t>(rows * cols), 8), rows, cols);
        const auto norm = pair.upload(DType::F32, cols, 1, float_bytes(normal_values(static_cast<size_t>(cols), 9)));
        const auto bias = pair.upload(DType::F32, cols, 1, float_bytes(normal_values(static_cast<size_t>(cols), 10)));
        const Tensor n_vk = pair.vk().alloc(rows, cols), n_cpu = pair.cpu().alloc(rows, cols);
        pair.vk().rms_norm(x.vk, norm.vk, 1e-5f, n_vk);
        pair.cpu().rms_norm(x.cpu, norm.cpu, 1e-5f, n_cpu);
        pair.vk().rms_norm(y.vk, norm.vk, 1e-6f, y.vk);  // in place, as post-norms are
        pair.cpu().rms_norm(y.cpu, norm.cpu, 1e-6f, y.cpu);
        pair.vk().add(n_vk, y.vk, n_vk);
        pair.cpu().add(n_cpu, y.cpu, n_cpu);
        pair.vk().add_bias(n_vk, bias.vk);
        pair.cpu().add_bias(n_cpu, bias.cpu);
        pair.vk().scale(n_vk, 0.37f);
        pair.cpu().scale(n_cpu, 0.37f);
        CHECK(count_bit_differences(pair.read_vk(y.vk), pair.read_cpu(y.cpu)) == 0);
        CHECK(count_bit_differences(pair.read_vk(n_vk), pair.read_cpu(n_cpu)) == 0);
    }
}

// Gate values over the whole float range: a regular sweep of bit patterns (so every binade and
// both signs), the boundaries where expf overflows or underflows, and specials.
std::vector<float> sweep_values(size_t stride) {
    std::vector<float> v;
    for (uint64_t bits = 0; bits < 0x7F800000ull; bits += stride) {
        v.push_back(std::bit_cast<float>(static_cast<uint32_t>(bits)));
        v.push_back(-std::bit_cast<float>(static_cast<uint32_t>(bits)));
    }
    for (float x : {0.0f, -0.0f, 88.72f, -88.72f, 103.9f, -103.9f, 104.0f, -104.0f, 87.3f, -87.3f, 1e-30f, -1e-30f,
                    std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity()})
        v.push_back(x);
    while (v.size() % 4 != 0) v.push_back(1.0f);
    return v;
}

TEST_CASE("vulkan swiglu (glibc's expf and a correctly rounded division) equals the CPU over the float range") {
    auto vulkan = try_vulkan();
    if (!vulkan) return;
    Pair pair(std::move(vulkan));
    std::vector<float> gate = sweep_values(4099);
    const std::vector<float> dense = normal_values(1 << 16, 11, 6.0f);
    gate.insert(gate.end(), dense.begin(), dense.end());
    const int64_t cols = 4, rows = static_cast<int64_t>(gate.size()) / cols;
    std::vector<float> up = normal_values(gate.size(), 12);
    for (size_t i = 0; i < up.size(); i += 2) up[i] = 1.0f;  // half the products show silu itself
    const auto g = pair.tensor(gate, rows, cols);
    const auto u = pair.tensor(up, rows, cols);
    const Tensor o_vk = pair.vk().alloc(rows, cols), o_cpu = pair.cpu().alloc(rows, cols);
    pair.vk().swiglu(g.vk, u.vk, o_vk);
    pair.cpu().swiglu(g.cpu, u.cpu, o_cpu);
    CHECK(count_bit_differences(pair.read_vk(o_vk), pair.read_cpu(o_cpu)) == 0);
}

TEST_CASE("vulkan softcap (glibc's tanhf) and gelu_glu equal the CPU backend") {
    auto vulkan = try_vulkan();
    if (!vulkan) return;
    Pair pair(std::move(vulkan));
    std::vector<float> values = sweep_values(16411);
    const std::vector<float> dense = normal_values(1 << 16, 13, 20.0f);
    values.insert(values.end(), dense.begin(), dense.end());
    const int64_t cols = 4, rows = static_cast<int64_t>(values.size()) / cols;
    for (const float cap : {30.0f, 50.0f, 0.7f}) {
        CAPTURE(cap);
        pair.begin_step();
        const auto x = pair.tensor(values, rows, cols);
        pair.vk().softcap(x.vk, cap);
        pair.cpu().softcap(x.cpu, cap);
        CHECK(count_bit_differences(pair.read_vk(x.vk), pair.read_cpu(x.cpu)) == 0);
    }
    pair.begin_step();
    std::vector<float> gate = normal_values(1 << 15, 14, 4.0f);
    for (float x : {-10.0f, 10.0f, -9.999f, 9.999f, -12.0f, 12.0f, 0.0f, -0.0f}) gate.push_back(x);
    const int64_t n = static_cast<int64_t>(gate.size());
    const auto g = pair.tensor(gate, n / 8, 8);
    const auto u = pair.tensor(normal_values(gate.size(), 15), n / 8, 8);
    const Tensor o_vk = pair.vk().alloc(n / 8, 8), o_cpu = pair.cpu().alloc(n / 8, 8);
    pair.vk().gelu_glu(g.vk, u.vk, o_vk);
    pair.cpu().gelu_glu(g.cpu, u.cpu, o_cpu);
    CHECK(count_bit_differences(pair.read_vk(o_vk), pair.read_cpu(o_cpu)) == 0);
}

TEST_CASE("vulkan rope (normal, neox, partial, frequency factors) equals the CPU backend") {
    auto vulkan = try_vulkan();
    if (!vulkan) return;
    Pair pair(std::move(vulkan));
    const std::vector<int32_t> positions = {0, 1, 2, 17, 500, 8191, 3};
    const std::vector<int32_t> sequences(positions.size(), 0);
    const BatchRows rows{positions, sequences, {}};
    const int64_t n = static_cast<int64_t>(positions.size());
    for (const RopeStyle style : {RopeStyle::normal, RopeStyle::neox}) {
        for (const int32_t n_dims : {64, 32}) {
            CAPTURE(n_dims);
            pair.begin_step();
            const int32_t head_dim = 64, heads = 3;
            const auto factors = pair.upload(DType::F32, n_dims / 2, 1, float_bytes([&] {
                std::vector<float> f(static_cast<size_t>(n_dims / 2));
                for (size_t i = 0; i < f.size(); ++i) f[i] = 1.0f + 0.37f * static_cast<float>(i);
                return f;
            }()));
            const auto x = pair.tensor(normal_values(static_cast<size_t>(n * heads * head_dim), 16), n, heads * head_dim);
            RopeParams p{style, n_dims, 10000.0f, 1.0f, nullptr};
            pair.vk().rope(x.vk, head_dim, rows, p);
            pair.cpu().rope(x.cpu, head_dim, rows, p);
            p.freq_base = 500000.0f;
            p.freq_scale = 0.25f;
            p.freq_factors = &factors.vk;
            pair.vk().rope(x.vk, head_dim, rows, p);
            p.freq_factors = &factors.cpu;
            pair.cpu().rope(x.cpu, head_dim, rows, p);
            CHECK(count_bit_differences(pair.read_vk(x.vk), pair.read_cpu(x.cpu)) == 0);
        }
    }
}

TEST_CASE("vulkan gather_rows and read move rows exactly") {
    auto vulkan = try_vulkan();
    if (!vulkan) return;
    Pair pair(std::move(vulkan));
    const std::vector<float> values = normal_values(5 * 9, 17);
    const auto x = pair.tensor(values, 5, 9);
    CHECK(pair.read_vk(x.vk) == values);
    const std::vector<int32_t> pick = {4, 0, 4};
    const Tensor out = pair.vk().alloc(3, 9);
    pair.vk().gather_rows(x.vk, pick, out);
    const std::vector<float> got = pair.read_vk(out);
    for (size_t i = 0; i < pick.size(); ++i)
        for (size_t c = 0; c < 9; ++c) CHECK(got[i * 9 + c] == values[static_cast<size_t>(pick[i]) * 9 + c]);
    const std::vector<int32_t> bad = {5};
    CHECK_THROWS_AS(pair.vk().gather_rows(x.vk, bad, pair.vk().alloc(1, 9)), Error);
}

}  // namespace
}  // namespace hearth::test
