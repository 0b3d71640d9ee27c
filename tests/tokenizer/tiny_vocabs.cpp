#include "tests/tokenizer/tiny_vocabs.h"

#include <cstdio>

#include "core/tokenizer/byte_level.h"
#include "core/tokenizer/unicode.h"

namespace hearth::test {

using tokenizer::TokenType;
using tokenizer::VocabSpec;

int32_t add_token(VocabSpec& spec, const std::string& text, TokenType type, float score) {
    spec.tokens.push_back(text);
    spec.token_types.push_back(static_cast<int64_t>(type));
    spec.scores.push_back(score);
    return static_cast<int32_t>(spec.tokens.size() - 1);
}

VocabSpec tiny_spm_spec() {
    VocabSpec spec;
    spec.model = "llama";
    add_token(spec, "<unk>", TokenType::unknown);
    add_token(spec, "<s>", TokenType::control);
    add_token(spec, "</s>", TokenType::control);
    for (int byte = 0; byte < 256; ++byte) {
        char name[8];
        std::snprintf(name, sizeof(name), "<0x%02X>", byte);
        add_token(spec, name, TokenType::byte);
    }
    const std::pair<const char*, float> pieces[] = {
        {"\xE2\x96\x81", -5}, {"a", -10}, {"b", -10}, {"c", -10}, {"h", -10}, {"i", -10}, {"aa", -3}, {"ab", -2},
        {"bc", -1}, {"\xE2\x96\x81h", -4}, {"hi", -6}, {"\xE2\x96\x81hi", -2}, {"x", -10}, {"y", -10},
    };
    for (const auto& [text, score] : pieces) add_token(spec, text, TokenType::normal, score);
    add_token(spec, "<|im_end|>", TokenType::control);
    add_token(spec, "<tool>", TokenType::user_defined);
    return spec;
}

VocabSpec tiny_bpe_spec() {
    VocabSpec spec;
    spec.model = "gpt2";
    spec.pre = "gpt-2";
    for (int byte = 0; byte < 256; ++byte) {
        std::string text;
        tokenizer::append_utf8(text, tokenizer::byte_to_codepoint(static_cast<uint8_t>(byte)));
        add_token(spec, text, TokenType::normal);
    }
    for (const char* text : {"ab", "bc", "aa", "\xC4\xA0h", "\xC4\xA0hi", "xyz"}) add_token(spec, text, TokenType::normal);
    spec.merges = {"a b", "b c", "a a", "\xC4\xA0 h", "\xC4\xA0h i"};
    const int32_t end = add_token(spec, "<|endoftext|>", TokenType::control);
    spec.bos_id = end;
    spec.eos_id = end;
    return spec;
}

}  // namespace hearth::test
