#pragma once
// Byte-level BPE pre-tokenizers, selected by the GGUF key tokenizer.ggml.pre: an ordered list
// of regexes that cut the text into words before BPE merges run inside each word.
#include <string>
#include <string_view>
#include <vector>

#include "core/tokenizer/regex.h"

namespace hearth::tokenizer {

// What a tokenizer.ggml.pre name implies, besides its regexes (defaults as in llama.cpp).
struct PreTokenizerTraits {
    bool ignore_merges = false;  // a word that is itself a token is emitted whole
    bool add_bos = false;        // default of tokenizer.ggml.add_bos_token
    bool clean_spaces = true;    // decode may remove spaces before punctuation
    bool drop_bos = false;       // the vocab has no BOS token, whatever the metadata says
};

class PreTokenizer {
public:
    // name: the value of tokenizer.ggml.pre ("" means "default"). Throws Error(unsupported).
    static PreTokenizer for_name(std::string_view name);

    const std::string& name() const { return name_; }
    const PreTokenizerTraits& traits() const { return traits_; }

    // Splits UTF-8 text into words (UTF-8, not yet byte-encoded). Each regex in turn splits
    // every current piece into its matches and the unmatched runs between them. Invalid UTF-8
    // bytes come out as U+FFFD, as in llama.cpp.
    std::vector<std::string> split(std::string_view text) const;

private:
    PreTokenizer(std::string name, const std::vector<std::string_view>& patterns, PreTokenizerTraits traits);

    std::string name_;
    std::vector<Regex> regexes_;
    PreTokenizerTraits traits_;
};

// Whether a tokenizer.ggml.pre name is known.
bool is_known_pre_tokenizer(std::string_view name);

}  // namespace hearth::tokenizer
