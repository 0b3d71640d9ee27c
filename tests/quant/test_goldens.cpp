// Goldens from implementations independent of Hearth's (scripts/make-quant-goldens.py): real blocks
// of real GGUF tensors and random blocks dequantized by gguf-py; quantized bytes from gguf-py (legacy
// and float types) and from ggml's own quantize_row_*_ref (K types); ggml's generic vec_dot results.
// Everything must match bit for bit: both sides evaluate the same float32 expressions (for example
// (d * sc) * q - dmin * m) in the same order with each operation rounded once, so even a 1 ulp
// difference means a different formula, operation order or layout.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/quant/quant.h"
#include "tests/quant/quant_test_util.h"
#include "tests/test_paths.h"

namespace hearth::test {
namespace {

constexpr DType kGoldenTypes[] = {DType::F32,  DType::F16,  DType::BF16, DType::Q4_0, DType::Q4_1, DType::Q5_0,
                                  DType::Q5_1, DType::Q8_0, DType::Q4_K, DType::Q5_K, DType::Q6_K, DType::Q8_K};

nlohmann::json load_golden(DType type) {
    const std::filesystem::path path = test_data() / "quant" / (type_name(type) + ".json");
    std::ifstream in(path);
    REQUIRE_MESSAGE(in.good(), "missing golden " << path.string() << " (run scripts/make-quant-goldens.py)");
    return nlohmann::json::parse(in);
}

std::vector<uint8_t> from_hex(const nlohmann::json& field) {
    const std::string hex = field.get<std::string>();
    REQUIRE(hex.size() % 2 == 0);
    std::vector<uint8_t> bytes(hex.size() / 2);
    for (size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = static_cast<uint8_t>(std::stoul(hex.substr(2 * i, 2), nullptr, 16));
    return bytes;
}

// Little-endian float32 bit patterns, as the script writes them.
std::vector<float> floats_from_hex(const nlohmann::json& field) {
    const std::vector<uint8_t> bytes = from_hex(field);
    REQUIRE(bytes.size() % 4 == 0);
    std::vector<float> out(bytes.size() / 4);
    for (size_t i = 0; i < out.size(); ++i) {
        uint32_t bits = 0;
        for (size_t k = 0; k < 4; ++k) bits |= static_cast<uint32_t>(bytes[4 * i + k]) << (8 * k);
        out[i] = std::bit_cast<float>(bits);
    }
    return out;
}

bool same_float(float a, float b) {
    return std::bit_cast<uint32_t>(a) == std::bit_cast<uint32_t>(b) || (std::isnan(a) && std::isnan(b));
}

std::string source_of(const nlohmann::json& c) { return c.at("source").get<std::string>(); }

TEST_CASE("dequantize_row matches gguf-py bit for bit on real and random blocks") {
    int cases = 0;
    for (DType type : kGoldenTypes) {
        const nlohmann::json golden = load_golden(type);
        REQUIRE(golden.at("type").get<std::string>() == type_name(type));
        for (const auto& c : golden.at("dequantize")) {
            const std::vector<uint8_t> bytes = from_hex(c.at("hex"));
            const std::vector<float> expected = floats_from_hex(c.at("values"));
            const auto n = static_cast<int64_t>(expected.size());
            REQUIRE(row_bytes(dtype_info(type), static_cast<uint64_t>(n)) == bytes.size());
            const std::vector<float> got = dequantize_vec(type, bytes, n);
            int mismatches = 0;
            for (size_t i = 0; i < got.size(); ++i) mismatches += same_float(got[i], expected[i]) ? 0 : 1;
            INFO(type_name(type) << " from " << source_of(c));
            CHECK(mismatches == 0);
            ++cases;
        }
    }
    MESSAGE(cases << " dequantize goldens checked");
    CHECK(cases >= 25);
}

TEST_CASE("quantize_row matches gguf-py and ggml byte for byte") {
    int cases = 0;
    for (DType type : kGoldenTypes) {
        const nlohmann::json golden = load_golden(type);
        if (golden.contains("quantize_note")) MESSAGE(golden.at("quantize_note").get<std::string>());
        for (const auto& c : golden.at("quantize")) {
            const std::vector<float> input = floats_from_hex(c.at("input"));
            const std::vector<uint8_t> expected = from_hex(c.at("hex"));
            const std::vector<uint8_t> got = quantize_vec(type, input);
            INFO(type_name(type) << " from " << source_of(c));
            CHECK(got == expected);
            ++cases;
        }
    }
    MESSAGE(cases << " quantize goldens checked");
    CHECK(cases >= 30);
}

TEST_CASE("vec_dot matches ggml's generic dot products bit for bit") {
    int cases = 0;
    for (DType type : kGoldenTypes) {
        const nlohmann::json golden = load_golden(type);
        if (!golden.contains("vec_dot")) continue;
        for (const auto& c : golden.at("vec_dot")) {
            const std::vector<uint8_t> weight = from_hex(c.at("weight"));
            const std::vector<uint8_t> act = from_hex(c.at("act"));
            const auto n = c.at("n").get<int64_t>();
            REQUIRE(row_bytes(dtype_info(type), static_cast<uint64_t>(n)) == weight.size());
            REQUIRE(row_bytes(dtype_info(vec_dot_type(type)), static_cast<uint64_t>(n)) == act.size());
            const float expected = floats_from_hex(c.at("result")).at(0);
            const float got = vec_dot(type, weight.data(), act.data(), n);
            INFO(type_name(type) << " from " << source_of(c) << ": got " << got << ", ggml " << expected);
            CHECK(same_float(got, expected));
            ++cases;
        }
    }
    MESSAGE(cases << " vec_dot goldens checked");
    CHECK(cases >= 16);
}

// The generator of scripts/make-quant-goldens.py (synthetic_values), bit for bit.
std::vector<float> synthetic_values(uint32_t seed, int64_t n) {
    std::vector<float> out(static_cast<size_t>(n));
    uint32_t state = seed;
    for (int64_t i = 0; i < n; ++i) {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        const float u = static_cast<float>(static_cast<int32_t>(state >> 8) - (1 << 23)) * 0x1p-23f;
        const int64_t group = i / 32;
        const float scale = std::ldexp(1.0f, static_cast<int>(group % 7) - 4);
        float& x = out[static_cast<size_t>(i)];
        if ((state & 0xFF) < 8)
            x = u * 8.0f * scale;
        else if (group % 5 == 0)
            x = u * u * u * scale;
        else
            x = u * scale;
    }
    return out;
}

std::string fnv1a64_hex(const std::vector<uint8_t>& bytes) {
    uint64_t h = 0xCBF29CE484222325ull;
    for (uint8_t b : bytes) h = (h ^ b) * 0x100000001B3ull;
    char text[17];
    std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(h));
    return text;
}

TEST_CASE("quantize_row matches ggml on long synthetic rows (hashes of ggml's output)") {
    const std::filesystem::path path = test_data() / "quant" / "synthetic.json";
    std::ifstream in(path);
    REQUIRE_MESSAGE(in.good(), "missing golden " << path.string() << " (run scripts/make-quant-goldens.py --ggml-lib)");
    const nlohmann::json golden = nlohmann::json::parse(in);
    int cases = 0;
    for (const auto& c : golden.at("cases")) {
        const std::string name = c.at("type").get<std::string>();
        const DType* type = nullptr;
        for (const DTypeInfo& info : kDTypeTable)
            if (info.name == name) type = &info.type;
        REQUIRE(type != nullptr);
        const auto n = c.at("n").get<int64_t>();
        const std::vector<float> x = synthetic_values(c.at("seed").get<uint32_t>(), n);
        INFO(name << ", seed " << c.at("seed").get<uint32_t>() << ", " << n << " values");
        CHECK(fnv1a64_hex(quantize_vec(*type, x)) == c.at("fnv1a64").get<std::string>());
        ++cases;
    }
    CHECK(cases >= 20);
}

}  // namespace
}  // namespace hearth::test
