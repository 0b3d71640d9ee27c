// Perplexity of a public-domain text on SmolLM2 and Gemma 3 must agree with llama.cpp's perplexity
// tool (tests/data/goldens/*-perplexity.json, see their made_by). The text's token ids are compared
// too: a long, varied input for the tokenizer.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/engine/perplexity.h"
#include "core/tokenizer/tokenizer.h"
#include "tests/models/model_fixture.h"

namespace hearth {
namespace {

constexpr int32_t kChunks = 2;  // of the golden's 4, to keep the suite fast

std::string read_text(const std::string& relative) {
    std::ifstream in(test::test_data() / relative, std::ios::binary);
    REQUIRE(in.good());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Running perplexity over the first kChunks chunks, held within `tolerance` (relative) of the
// golden's, in the exact arithmetic (cpu::CpuOptions::exact) or the default one.
void check_perplexity(const std::string& golden_name, bool exact, double tolerance) {
    std::ifstream in(test::test_data() / "goldens" / golden_name);
    REQUIRE(in.good());
    const auto golden = nlohmann::json::parse(in);
    const auto loaded = test::load_test_model(golden.at("model_file").get<std::string>(), exact);
    if (!loaded) return;
    const auto tokenizer = tokenizer::Tokenizer::from_gguf(*loaded->file);
    const std::string text = read_text(golden.at("text_file").get<std::string>().substr(std::string("tests/data/").size()));
    const auto tokens = tokenizer.encode(text, tokenizer::EncodeOptions{true, false});
    CHECK(tokens == golden.at("token_ids").get<std::vector<int32_t>>());

    PerplexityOptions options;
    options.n_ctx = golden.at("n_ctx").get<int32_t>();
    options.max_chunks = kChunks;
    // As llama-perplexity: each chunk starts with BOS where the vocabulary adds one (Gemma).
    if (tokenizer.vocab().flags().add_bos && tokenizer.bos() != tokenizer::no_token) options.bos = tokenizer.bos();
    const PerplexityResult result = compute_perplexity(*loaded->model, tokens, options);
    REQUIRE(result.chunk_estimates.size() == kChunks);
    CHECK(result.tokens_scored == kChunks * golden.at("scored_tokens_per_chunk").get<int64_t>());
    double nll = 0.0;
    for (int32_t c = 0; c < kChunks; ++c) {
        nll += golden.at("per_chunk").at(c).at("nll_sum").get<double>();
        const double expected = std::exp(nll / static_cast<double>((c + 1) * golden.at("scored_tokens_per_chunk").get<int64_t>()));
        INFO("chunk " << c + 1 << ", exact " << exact);
        CHECK(result.chunk_estimates[c] == doctest::Approx(expected).epsilon(tolerance));
    }
}

// The exact path reproduces llama.cpp's portable arithmetic, so it is held to the golden's digits.
// The default arithmetic (blockwise K sums in prompt batches; flash attention in float, SwiGLU's
// vector exp) rounds differently; a rounding moves this small models' running perplexity by about a
// percent, as llama.cpp's own AVX-512 build does (its per-chunk values differ from the golden's by up
// to 2.6%). Measured over these 2 chunks (AVX-512): SmolLM2 7.1027 / 8.3721 against 7.1401 / 8.3383,
// Gemma 3 5.4704 / 5.3687 against 5.4484 / 5.3763; over all 4 chunks 7.8729 against 7.8368 and
// 4.9410 against 4.9818 (Gemma's 4th chunk is the sensitive one: 2.90 against 2.98).
constexpr double kDefaultArithmeticTolerance = 0.02;

TEST_CASE("SmolLM2 perplexity of the constitution excerpt matches llama.cpp") {
    check_perplexity("smollm2-perplexity.json", true, 1e-6);
    check_perplexity("smollm2-perplexity.json", false, kDefaultArithmeticTolerance);
}

TEST_CASE("Gemma 3 (Q4_K_M) perplexity of the constitution excerpt matches llama.cpp") {
    check_perplexity("gemma3-perplexity.json", true, 1e-6);
    check_perplexity("gemma3-perplexity.json", false, kDefaultArithmeticTolerance);
}

}  // namespace
}  // namespace hearth
