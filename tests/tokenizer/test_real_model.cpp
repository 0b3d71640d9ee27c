// Real models' tokenizers (from the model cache, when present) against ids made by independent
// libraries: SmolLM2 with Hugging Face tokenizers, Gemma 3 with sentencepiece (see
// gen_real_model_expected.py).
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/gguf/gguf_file.h"
#include "core/tokenizer/detokenizer.h"
#include "core/tokenizer/tokenizer.h"
#include "tests/test_paths.h"

namespace hearth::tokenizer {
namespace {

struct Expected {
    const char* text;
    std::vector<int32_t> ids;
};

const std::vector<Expected> smollm2_cases = {
#include "tests/tokenizer/real_model_smollm2.inc"
};

const std::vector<Expected> gemma3_cases = {
#include "tests/tokenizer/real_model_gemma3.inc"
};

// The first .gguf under the model cache (a few levels deep) whose lowercase name contains `key`.
std::optional<std::filesystem::path> find_model(std::string_view key) {
    std::error_code error;
    const auto root = test::model_dir();
    if (!std::filesystem::is_directory(root, error)) return std::nullopt;
    std::vector<std::filesystem::path> found;
    for (auto it = std::filesystem::recursive_directory_iterator(root, error); !error && it != std::filesystem::recursive_directory_iterator();
         it.increment(error)) {
        if (it.depth() > 3) it.disable_recursion_pending();
        std::string name = it->path().filename().string();
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (name.find(key) != std::string::npos && it->path().extension() == ".gguf") found.push_back(it->path());
    }
    if (found.empty()) return std::nullopt;
    std::sort(found.begin(), found.end());
    return found.front();
}

// Encodes each case, compares the ids, and checks decode and streaming give the text back.
void check_cases(const Tokenizer& tokenizer, const std::vector<Expected>& cases, EncodeOptions options) {
    for (const Expected& expected : cases) {
        CAPTURE(expected.text);
        const std::vector<int32_t> ids = tokenizer.encode(expected.text, options);
        CHECK(ids == expected.ids);
        CHECK(tokenizer.decode(ids, {.render_special = true}) == expected.text);
        Detokenizer stream(tokenizer, {.render_special = true});
        std::string streamed;
        for (int32_t id : ids) streamed += stream.push(id);
        CHECK(streamed + stream.flush() == expected.text);
    }
}

TEST_CASE("SmolLM2 tokenizer matches Hugging Face tokenizers") {
    const auto path = find_model("smollm2");
    if (!path) {
        MESSAGE("skipped: no SmolLM2 .gguf under " << test::model_dir().string());
        return;
    }
    const auto file = gguf::GgufFile::open(path->string());
    const Tokenizer tokenizer = Tokenizer::from_gguf(*file);
    CHECK(tokenizer.n_vocab() == 49152);
    CHECK(tokenizer.bos() == *tokenizer.find_token("<|im_start|>"));
    CHECK(tokenizer.eos() == *tokenizer.find_token("<|im_end|>"));
    CHECK(tokenizer.is_end_of_generation(*tokenizer.find_token("<|im_end|>")));
    CHECK(tokenizer.is_end_of_generation(*tokenizer.find_token("<|endoftext|>")));
    CHECK_FALSE(tokenizer.is_end_of_generation(*tokenizer.find_token("<|im_start|>")));
    CHECK_FALSE(tokenizer.vocab().flags().add_bos);  // the file says add_bos_token = false
    // add_special adds nothing here; the chat prompt case needs parse_special.
    check_cases(tokenizer, smollm2_cases, {.add_special = true, .parse_special = true});
}

TEST_CASE("Gemma 3 tokenizer matches sentencepiece") {
    const auto path = find_model("gemma-3");
    if (!path) {
        MESSAGE("skipped: no Gemma 3 .gguf under " << test::model_dir().string());
        return;
    }
    const auto file = gguf::GgufFile::open(path->string());
    const Tokenizer tokenizer = Tokenizer::from_gguf(*file);
    CHECK(tokenizer.vocab().kind() == VocabKind::spm);
    CHECK_FALSE(tokenizer.vocab().flags().add_space_prefix);
    CHECK(tokenizer.is_end_of_generation(*tokenizer.find_token("<end_of_turn>")));
    CHECK(tokenizer.encode("Hi", {.add_special = true}).front() == tokenizer.bos());
    // Runs of spaces are user-defined tokens of raw text, matched before SPM as in llama.cpp.
    CHECK(tokenizer.encode("  two").front() == *tokenizer.find_token("  "));
    check_cases(tokenizer, gemma3_cases, {});
}

}  // namespace
}  // namespace hearth::tokenizer
