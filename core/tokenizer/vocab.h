#pragma once
// A tokenizer vocabulary: token strings, scores and types, BPE merges, special token ids and
// flags, validated once at construction. Built from GGUF metadata (tokenizer.ggml.*) or from
// a VocabSpec filled in by hand (tests).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/tokenizer/pretokenizer.h"

namespace hearth::gguf {
class GgufFile;
}

namespace hearth::tokenizer {

inline constexpr int32_t no_token = -1;

enum class VocabKind { spm, bpe };  // tokenizer.ggml.model "llama" / "gpt2"

// tokenizer.ggml.token_type values.
enum class TokenType : uint8_t { undefined = 0, normal = 1, unknown = 2, control = 3, user_defined = 4, unused = 5, byte = 6 };

// Tokenizer metadata as stored, before validation. Absent optional values take llama.cpp's
// defaults for the vocab kind and pre-tokenizer.
struct VocabSpec {
    std::string model;  // "llama" (SPM) or "gpt2" (byte-level BPE)
    std::string pre;    // BPE pre-tokenizer name; "" means "default"
    std::vector<std::string> tokens;
    std::vector<float> scores;         // empty: all 0
    std::vector<int64_t> token_types;  // raw TokenType values; empty: all normal
    std::vector<std::string> merges;   // "left right", rank = index (BPE only)
    std::optional<int64_t> bos_id, eos_id, unknown_id, padding_id, eot_id, eom_id;
    std::optional<int64_t> fim_pre_id, fim_suf_id, fim_mid_id, fim_pad_id, fim_rep_id, fim_sep_id;
    std::optional<bool> add_bos, add_eos, add_space_prefix, remove_extra_whitespaces;
    std::string model_name;  // general.name: llama.cpp gives some models' special tokens strip rules
};

// Reads tokenizer.ggml.* (and general.name). Throws Error(bad_file) for missing or mistyped keys.
VocabSpec read_vocab_spec(const gguf::GgufFile& file);

struct SpecialTokens {
    int32_t bos = no_token;
    int32_t eos = no_token;
    int32_t unknown = no_token;
    int32_t padding = no_token;
    int32_t eot = no_token;  // end of turn
    int32_t eom = no_token;  // end of message (tool call)
    // Fill-in-the-middle markers: prefix, suffix, middle, pad, repository, file separator.
    int32_t fim_pre = no_token;
    int32_t fim_suf = no_token;
    int32_t fim_mid = no_token;
    int32_t fim_pad = no_token;
    int32_t fim_rep = no_token;
    int32_t fim_sep = no_token;
};

struct VocabFlags {
    bool add_bos = false;
    bool add_eos = false;
    bool add_space_prefix = false;  // SPM: a space goes before the text (and after special tokens)
    bool remove_extra_whitespaces = false;  // read for completeness; SPM encoding ignores it, like llama.cpp
    bool clean_spaces = false;              // decoding may drop spaces before punctuation (HF clean-up)
    bool ignore_merges = false;             // BPE: a word that is a token is not merged
};

class Vocab {
public:
    // Validates the spec. Throws Error(bad_file) naming the problem, or Error(unsupported) for
    // a tokenizer model or pre-tokenizer Hearth does not implement.
    explicit Vocab(const VocabSpec& spec);
    static Vocab from_gguf(const gguf::GgufFile& file) { return Vocab(read_vocab_spec(file)); }
    // Lookups hold views into the token storage, which moves along; copies would dangle.
    Vocab(const Vocab&) = delete;
    Vocab& operator=(const Vocab&) = delete;
    Vocab(Vocab&&) = default;
    Vocab& operator=(Vocab&&) = default;

    VocabKind kind() const { return kind_; }
    const PreTokenizer& pre_tokenizer() const { return *pre_tokenizer_; }  // BPE only
    int32_t size() const { return static_cast<int32_t>(offsets_.size()) - 1; }
    bool contains(int32_t id) const { return id >= 0 && id < size(); }

    std::string_view text(int32_t id) const;  // id must be valid
    float score(int32_t id) const { return info_[static_cast<size_t>(id)].score; }
    TokenType type(int32_t id) const { return info_[static_cast<size_t>(id)].type; }
    bool strips_left(int32_t id) const { return info_[static_cast<size_t>(id)].lstrip; }
    bool strips_right(int32_t id) const { return info_[static_cast<size_t>(id)].rstrip; }
    std::optional<int32_t> find(std::string_view text) const;
    // Rank of the BPE merge "left right", or -1.
    int32_t merge_rank(std::string_view left, std::string_view right) const;
    // SPM byte fallback: the <0xXX> token (or the one-byte token) for a byte, or no_token.
    int32_t byte_token(uint8_t byte) const { return byte_tokens_[byte]; }
    // The byte a byte-type token stands for (token text "<0xXX>").
    uint8_t token_byte(int32_t id) const;

    const SpecialTokens& special() const { return special_; }
    const VocabFlags& flags() const { return flags_; }
    bool is_end_of_generation(int32_t id) const;
    // Control, user-defined and unknown tokens, longest text first: the ones matched in raw
    // text before tokenizing.
    const std::vector<int32_t>& special_tokens_by_length() const { return special_by_length_; }

private:
    struct TokenInfo {
        float score = 0.0f;
        TokenType type = TokenType::normal;
        bool lstrip = false;  // matching this special token eats white space on its left
        bool rstrip = false;  // ... and on its right
    };
    struct MergeKey {
        std::string_view left;
        std::string_view right;
    };
    struct MergeHash {
        using is_transparent = void;
        size_t operator()(std::string_view joined) const;
        size_t operator()(const MergeKey& key) const;
    };
    struct MergeEqual {
        using is_transparent = void;
        bool operator()(std::string_view a, std::string_view b) const { return a == b; }
        bool operator()(std::string_view joined, const MergeKey& key) const;
        bool operator()(const MergeKey& key, std::string_view joined) const { return (*this)(joined, key); }
    };

    void load_tokens(const VocabSpec& spec);
    void load_merges(const VocabSpec& spec);
    void resolve_special_ids(const VocabSpec& spec);
    void resolve_flags(const VocabSpec& spec);
    void mark_end_of_generation();
    void apply_model_quirks(const VocabSpec& spec);
    void index_special_tokens();
    void index_byte_tokens();
    int32_t checked_id(std::optional<int64_t> value, const char* key, int32_t fallback) const;

    VocabKind kind_ = VocabKind::spm;
    std::optional<PreTokenizer> pre_tokenizer_;
    std::vector<char> texts_;        // all token texts, back to back (never reallocated after loading)
    std::vector<uint32_t> offsets_;  // token i is texts_[offsets_[i], offsets_[i + 1])
    std::vector<TokenInfo> info_;
    std::unordered_map<std::string_view, int32_t> ids_;  // views into texts_
    std::vector<char> merge_texts_;  // all merges, back to back
    std::unordered_map<std::string_view, int32_t, MergeHash, MergeEqual> merge_ranks_;
    SpecialTokens special_;
    VocabFlags flags_;
    std::vector<int32_t> end_of_generation_;  // sorted
    std::vector<int32_t> special_by_length_;
    std::vector<int32_t> byte_tokens_ = std::vector<int32_t>(256, no_token);
};

}  // namespace hearth::tokenizer
