#pragma once
// Text <-> token ids for a model's vocabulary (SPM or byte-level BPE), matching llama.cpp's
// tokenizer output. A Tokenizer is immutable after construction and safe to share between
// threads.
//
//   auto file = gguf::GgufFile::open(path);
//   Tokenizer tokenizer = Tokenizer::from_gguf(*file);
//   std::vector<int32_t> ids = tokenizer.encode("Hello", {.add_special = true, .parse_special = true});
//   std::string text = tokenizer.decode(ids);
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/tokenizer/vocab.h"

namespace hearth::tokenizer {

struct EncodeOptions {
    bool add_special = false;    // add BOS / EOS where the vocab's flags ask for them
    bool parse_special = false;  // control and unknown token texts in the input become those tokens
};

struct PieceOptions {
    bool render_special = false;  // control and unknown tokens render as their text (else as nothing)
};

struct DecodeOptions {
    bool render_special = false;      // as in PieceOptions
    bool strip_space_prefix = true;   // SPM with add_space_prefix: drop the space encode put in front
    bool clean_up_spaces = false;     // apply the vocab's HF clean-up (" ." -> ".") when it has one
};

class Tokenizer {
public:
    explicit Tokenizer(Vocab vocab);
    // Reads tokenizer.ggml.* metadata. Throws Error(bad_file) or Error(unsupported).
    static Tokenizer from_gguf(const gguf::GgufFile& file);

    // User-defined tokens (added tokens such as multi-space runs) are always matched in the
    // text; control tokens only with parse_special.
    std::vector<int32_t> encode(std::string_view text, EncodeOptions options = {}) const;

    // The bytes of one token (not necessarily valid UTF-8 on its own: byte tokens and
    // byte-level pieces can split a character). Throws Error(bad_request) for an invalid id.
    std::string token_to_piece(int32_t id, PieceOptions options = {}) const;
    // The text of a token sequence. Throws Error(bad_request) for an invalid id.
    std::string decode(std::span<const int32_t> ids, DecodeOptions options = {}) const;

    int32_t bos() const { return vocab_.special().bos; }  // no_token when the vocab has none
    int32_t eos() const { return vocab_.special().eos; }
    bool is_end_of_generation(int32_t id) const { return vocab_.is_end_of_generation(id); }
    int32_t n_vocab() const { return vocab_.size(); }
    std::optional<int32_t> find_token(std::string_view text) const { return vocab_.find(text); }
    const Vocab& vocab() const { return vocab_; }

private:
    struct Fragment {
        int32_t token = no_token;  // a matched special token, or no_token for raw text
        std::string_view text;
    };
    std::vector<Fragment> split_special(std::string_view text, EncodeOptions options) const;
    void encode_spm(const std::vector<Fragment>& fragments, std::vector<int32_t>& out) const;
    void encode_bpe(const std::vector<Fragment>& fragments, std::vector<int32_t>& out) const;
    std::string_view cached_piece(int32_t id, PieceOptions options) const;
    void check_id(int32_t id) const;

    Vocab vocab_;
    std::vector<std::string> pieces_;  // token_to_piece with render_special, per id
};

}  // namespace hearth::tokenizer
