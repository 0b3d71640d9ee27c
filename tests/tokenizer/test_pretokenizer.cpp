// Pre-tokenizer splits against goldens made by Hugging Face tokenizers (see
// gen_pretokenizer_goldens.py), and the llama.cpp-specific behaviours around them.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "core/tokenizer/pretokenizer.h"

namespace hearth::tokenizer {
namespace {

struct Golden {
    const char* pre;
    const char* text;
    std::vector<std::string> words;
};

const std::vector<Golden>& goldens() {
    static const std::vector<Golden> cases = {
#include "tests/tokenizer/pretokenizer_goldens.inc"
    };
    return cases;
}

TEST_CASE("pre-tokenizers split like Hugging Face tokenizers") {
    REQUIRE(goldens().size() > 200);
    std::string current;
    std::vector<PreTokenizer> cache;
    for (const Golden& golden : goldens()) {
        if (cache.empty() || current != golden.pre) {
            cache.clear();
            cache.push_back(PreTokenizer::for_name(golden.pre));
            current = golden.pre;
        }
        CAPTURE(golden.pre);
        CAPTURE(golden.text);
        CHECK(cache.front().split(golden.text) == golden.words);
    }
}

TEST_CASE("pre-tokenizer words always concatenate back to the input") {
    const std::string text = "It's 2024!\n\n  Ünïcödé 日本語 🦙  \t done";
    for (const char* name : {"default", "gpt-2", "llama3", "qwen2", "deepseek-llm", "deepseek-coder", "falcon", "starcoder", "tekken",
                             "gpt-4o", "chameleon", "command-r", "refact", "mpt", "smollm", "roberta-bpe"}) {
        CAPTURE(name);
        std::string joined;
        for (const std::string& word : PreTokenizer::for_name(name).split(text)) {
            CHECK_FALSE(word.empty());
            joined += word;
        }
        CHECK(joined == text);
    }
}

TEST_CASE("invalid UTF-8 becomes U+FFFD before splitting, as in llama.cpp") {
    const auto words = PreTokenizer::for_name("gpt-2").split("a\xFF\xC3");
    REQUIRE(words.size() == 2);
    CHECK(words[0] == "a");
    CHECK(words[1] == "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_CASE("non-ASCII white space never matches a literal in a pattern (llama.cpp's U+000B view)") {
    // deepseek-llm's punctuation class lists U+3000..U+3002; llama.cpp's std::regex sees U+3000
    // as U+000B, so the run stops there and "。　。" ends up as three words, not one.
    const auto words = PreTokenizer::for_name("deepseek-llm").split("\xE3\x80\x82\xE3\x80\x80\xE3\x80\x82");
    REQUIRE(words.size() == 3);
    CHECK(words[1] == "\xE3\x80\x80");
}

TEST_CASE("pre-tokenizer names: aliases resolve, unknown ones are unsupported") {
    CHECK(is_known_pre_tokenizer("llama-bpe"));
    CHECK(is_known_pre_tokenizer("deepseek-r1-qwen"));
    CHECK(is_known_pre_tokenizer(""));
    CHECK(PreTokenizer::for_name("").name() == "default");
    CHECK(PreTokenizer::for_name("llama-bpe").traits().ignore_merges);
    CHECK_FALSE(PreTokenizer::for_name("qwen2").traits().clean_spaces);
    CHECK_FALSE(is_known_pre_tokenizer("no-such-pre"));
    try {
        PreTokenizer::for_name("no-such-pre");
        FAIL("expected Error(unsupported)");
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::unsupported);
        CHECK(std::string(error.what()).find("no-such-pre") != std::string::npos);
    }
}

}  // namespace
}  // namespace hearth::tokenizer
