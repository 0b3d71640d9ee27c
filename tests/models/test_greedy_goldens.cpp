// Greedy continuations of real models must equal llama.cpp's token for token. The goldens in
// tests/data/goldens were made with llama.cpp (see each file's "made_by").
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/engine/session.h"
#include "tests/models/model_fixture.h"

namespace hearth {
namespace {

int32_t argmax(std::span<const float> logits) {
    return static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

void check_greedy_goldens(const std::string& golden_name) {
    std::ifstream in(test::test_data() / "goldens" / golden_name);
    REQUIRE(in.good());
    const auto golden = nlohmann::json::parse(in);
    const auto loaded = test::load_test_model(golden.at("model_file").get<std::string>());
    if (!loaded) return;
    for (const auto& c : golden.at("cases")) {
        const auto prompt = c.at("prompt_ids").get<std::vector<int32_t>>();
        const auto expected = c.at("generated_ids").get<std::vector<int32_t>>();
        Session session(*loaded->model, SessionOptions{512, 512});
        std::span<const float> logits = session.feed(prompt);
        // The reference path reproduces ggml's portable C code, so even the logits agree to
        // the printed precision of the golden (9 significant digits).
        for (const auto& top : c.at("first_top5"))
            CHECK(logits[top.at("id").get<int32_t>()] == doctest::Approx(top.at("logit").get<double>()).epsilon(1e-6));
        std::vector<int32_t> generated;
        while (generated.size() < expected.size()) {
            const int32_t next = argmax(logits);
            generated.push_back(next);
            logits = session.feed(std::span<const int32_t>(&next, 1));
        }
        INFO("prompt: " << c.at("prompt").get<std::string>());
        CHECK(generated == expected);
    }
}

TEST_CASE("SmolLM2-135M-Instruct Q4_1 greedy continuations equal llama.cpp's") {
    check_greedy_goldens("smollm2-greedy.json");
}

TEST_CASE("Gemma 3 270M Q4_K_M greedy continuations equal llama.cpp's") {
    check_greedy_goldens("gemma3-greedy.json");
}

}  // namespace
}  // namespace hearth
