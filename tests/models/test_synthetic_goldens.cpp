// Synthetic qwen2 and llama models (tests/models/synthetic_model.h) must give llama.cpp's greedy
// tokens and first-step logits: this covers Q/K/V biases, NeoX RoPE, tied and separate outputs,
// RoPE frequency factors and the Q4_0 Q8_0 Q5_0 Q5_1 Q4_K Q5_K Q6_K F16 BF16 kernels without any
// downloaded model. The goldens were made by the scalar (SIMD-free) llama.cpp build from files
// this test writes when HEARTH_WRITE_SYNTHETIC names a folder (see the goldens' "made_by").
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "core/engine/session.h"
#include "core/gguf/gguf_file.h"
#include "core/gguf/gguf_writer.h"
#include "core/tokenizer/tokenizer.h"
#include "models/model.h"
#include "tests/models/synthetic_model.h"
#include "tests/test_paths.h"

namespace hearth {
namespace {

using test::SyntheticArch;

std::string fnv1a64_hex(const std::vector<uint8_t>& bytes) {
    const std::string_view view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    char text[17];
    std::snprintf(text, sizeof text, "%016llx",
                  static_cast<unsigned long long>(test::synthetic_detail::fnv1a64(view)));
    return text;
}

int32_t argmax(std::span<const float> logits) {
    return static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

nlohmann::json read_golden(SyntheticArch arch) {
    std::ifstream in(test::test_data() / "goldens" / (test::synthetic_model_name(arch) + "-greedy.json"));
    REQUIRE(in.good());
    return nlohmann::json::parse(in);
}

std::vector<int32_t> greedy(Session& session, std::span<const int32_t> prompt, size_t n_gen,
                            std::vector<float>& first_logits) {
    std::span<const float> logits = session.feed(prompt);
    first_logits.assign(logits.begin(), logits.end());
    std::vector<int32_t> generated;
    while (generated.size() < n_gen) {
        generated.push_back(argmax(logits));
        logits = session.feed(std::span<const int32_t>(&generated.back(), 1));
    }
    return generated;
}

void check_against_golden(SyntheticArch arch) {
    const auto golden = read_golden(arch);
    const std::vector<uint8_t> bytes = test::synthetic_model_bytes(arch);
    // The golden belongs to exactly these bytes; a generator change needs new goldens.
    REQUIRE(bytes.size() == golden.at("model_bytes").get<size_t>());
    REQUIRE(fnv1a64_hex(bytes) == golden.at("model_fnv1a64").get<std::string>());

    const auto file = gguf::GgufFile::from_memory(bytes);
    cpu::CpuBackend backend(cpu::CpuOptions{.n_threads = 2, .exact = true});  // the goldens' arithmetic
    const auto model = load_model(*file, backend);
    const auto text_tokenizer = tokenizer::Tokenizer::from_gguf(*file);
    for (const auto& c : golden.at("cases")) {
        const auto prompt_text = c.at("prompt").get<std::string>();
        const auto prompt = c.at("prompt_ids").get<std::vector<int32_t>>();
        const auto expected = c.at("generated_ids").get<std::vector<int32_t>>();
        INFO("prompt: " << prompt_text);
        CHECK(text_tokenizer.encode(prompt_text, {.add_special = true, .parse_special = true}) == prompt);

        Session session(*model, SessionOptions{512, 512});
        std::vector<float> first_logits;
        const std::vector<int32_t> generated = greedy(session, prompt, expected.size(), first_logits);
        // Hearth's reference path reproduces ggml's portable C code, so the logits agree to the
        // golden's printed precision (9 significant digits).
        for (const auto& top : c.at("first_top5")) {
            const auto id = top.at("id").get<int32_t>();
            const auto expected_logit = top.at("logit").get<double>();
            CHECK(first_logits.at(static_cast<size_t>(id)) == doctest::Approx(expected_logit).epsilon(1e-6).scale(0));
        }
        CHECK(argmax(first_logits) == c.at("first_top5").at(0).at("id").get<int32_t>());
        CHECK(generated == expected);
    }
}

TEST_CASE("synthetic qwen2 model (Q8_0/Q4_0, QKV biases, NeoX RoPE, tied output) matches llama.cpp greedy") {
    check_against_golden(SyntheticArch::qwen2);
}

TEST_CASE("synthetic llama model (Q5_0/Q5_1/Q4_K/Q5_K/Q6_K/F16/BF16, RoPE factors) matches llama.cpp greedy") {
    check_against_golden(SyntheticArch::llama);
}

TEST_CASE("synthetic model bytes are deterministic and parse as GGUF") {
    for (const SyntheticArch arch : {SyntheticArch::qwen2, SyntheticArch::llama}) {
        const std::vector<uint8_t> bytes = test::synthetic_model_bytes(arch);
        CHECK(bytes == test::synthetic_model_bytes(arch));
        const auto file = gguf::GgufFile::from_memory(bytes);
        CHECK(file->get_string("general.architecture") == (arch == SyntheticArch::qwen2 ? "qwen2" : "llama"));
    }
}

// Developer tool, not a check: HEARTH_WRITE_SYNTHETIC=/some/dir writes synthetic-*.gguf there
// for the golden maker (llama.cpp). Without the variable it does nothing.
TEST_CASE("write synthetic models when HEARTH_WRITE_SYNTHETIC is set") {
    const char* dir = std::getenv("HEARTH_WRITE_SYNTHETIC");
    if (!dir) return;
    std::filesystem::create_directories(dir);
    for (const SyntheticArch arch : {SyntheticArch::qwen2, SyntheticArch::llama}) {
        const auto path = std::filesystem::path(dir) / (test::synthetic_model_name(arch) + ".gguf");
        const std::vector<uint8_t> bytes = test::synthetic_model_bytes(arch);
        std::ofstream out(path, std::ios::binary);
        out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        REQUIRE(out.good());
        MESSAGE(path.string() << ": " << bytes.size() << " bytes, fnv1a64 " << fnv1a64_hex(bytes));
    }
}

}  // namespace
}  // namespace hearth
