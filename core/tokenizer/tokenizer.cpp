#include "core/tokenizer/tokenizer.h"

#include <array>

#include "core/error.h"
#include "core/tokenizer/bpe.h"
#include "core/tokenizer/byte_level.h"
#include "core/tokenizer/spm.h"

namespace hearth::tokenizer {
namespace {

constexpr std::string_view escaped_space = "\xE2\x96\x81";  // U+2581, SentencePiece's visible space

bool is_ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

std::string replace_all(std::string_view text, std::string_view from, std::string_view to) {
    std::string out;
    out.reserve(text.size());
    size_t pos = 0;
    for (size_t hit = text.find(from); hit != std::string_view::npos; hit = text.find(from, pos)) {
        out.append(text.substr(pos, hit - pos));
        out.append(to);
        pos = hit + from.size();
    }
    out.append(text.substr(pos));
    return out;
}

// Hugging Face's clean_up_tokenization_spaces, as llama.cpp applies it, in three passes.
std::string drop_space_before_punctuation(const std::string& text) {  // " ." " ," " !" " ?"
    std::string out;
    for (char c : text) {
        if (!out.empty() && out.back() == ' ' && (c == '?' || c == '!' || c == '.' || c == ',')) out.pop_back();
        out += c;
    }
    return out;
}

std::string join_lone_apostrophes(const std::string& text) {  // " ' " -> "'"
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\'' && i > 0 && i + 1 < text.size() && text[i - 1] == ' ' && text[i + 1] == ' ') {
            out.back() = '\'';
            ++i;
            continue;
        }
        out += text[i];
    }
    return out;
}

std::string attach_contractions(const std::string& text) {  // " 's" " 'm" " 're" " 've"
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\'' && i > 0 && text[i - 1] == ' ' && i + 1 < text.size()) {
            const char next = text[i + 1];
            const char after = i + 2 < text.size() ? text[i + 2] : '\0';
            if (next == 's' || next == 'm' || ((next == 'r' || next == 'v') && after == 'e')) out.pop_back();
        }
        out += text[i];
    }
    return out;
}

std::string clean_up_spaces(const std::string& text) {
    return attach_contractions(join_lone_apostrophes(drop_space_before_punctuation(text)));
}

}  // namespace

Tokenizer::Tokenizer(Vocab vocab) : vocab_(std::move(vocab)) {
    pieces_.reserve(static_cast<size_t>(vocab_.size()));
    for (int32_t id = 0; id < vocab_.size(); ++id) {
        const std::string_view text = vocab_.text(id);
        switch (vocab_.type(id)) {
            case TokenType::control:
            case TokenType::unknown:
            case TokenType::user_defined: pieces_.emplace_back(text); break;
            case TokenType::normal:
                pieces_.push_back(vocab_.kind() == VocabKind::spm ? replace_all(text, escaped_space, " ") : byte_level_decode(text));
                break;
            case TokenType::byte: pieces_.emplace_back(1, static_cast<char>(vocab_.token_byte(id))); break;
            case TokenType::unused:
            case TokenType::undefined: pieces_.emplace_back(); break;
        }
    }
}

Tokenizer Tokenizer::from_gguf(const gguf::GgufFile& file) { return Tokenizer(Vocab::from_gguf(file)); }

std::vector<int32_t> Tokenizer::encode(std::string_view text, EncodeOptions options) const {
    const std::vector<Fragment> fragments = split_special(text, options);
    std::vector<int32_t> out;
    if (options.add_special && vocab_.flags().add_bos) out.push_back(vocab_.special().bos);
    if (vocab_.kind() == VocabKind::spm) {
        encode_spm(fragments, out);
    } else {
        encode_bpe(fragments, out);
    }
    if (options.add_special && vocab_.flags().add_eos) out.push_back(vocab_.special().eos);
    return out;
}

// Cuts special token texts out of the input, longest tokens first; the rest stays raw text.
std::vector<Tokenizer::Fragment> Tokenizer::split_special(std::string_view text, EncodeOptions options) const {
    std::vector<Fragment> fragments;
    if (text.empty()) return fragments;
    fragments.push_back(Fragment{no_token, text});
    std::array<bool, 256> present{};  // bytes of the input: tokens starting with another byte cannot occur
    for (char c : text) present[static_cast<uint8_t>(c)] = true;

    for (int32_t id : vocab_.special_tokens_by_length()) {
        const TokenType type = vocab_.type(id);
        if (!options.parse_special && (type == TokenType::control || type == TokenType::unknown)) continue;
        const std::string_view special = vocab_.text(id);
        if (!present[static_cast<uint8_t>(special[0])]) continue;
        std::vector<Fragment> next;
        next.reserve(fragments.size());
        for (const Fragment& fragment : fragments) {
            std::string_view rest = fragment.text;
            size_t hit = fragment.token == no_token ? rest.find(special) : std::string_view::npos;
            if (hit == std::string_view::npos) {
                next.push_back(fragment);
                continue;
            }
            while (hit != std::string_view::npos) {
                std::string_view left = rest.substr(0, hit);
                if (vocab_.strips_left(id))
                    while (!left.empty() && is_ascii_space(left.back())) left.remove_suffix(1);
                if (!left.empty()) next.push_back(Fragment{no_token, left});
                next.push_back(Fragment{id, special});
                rest = rest.substr(hit + special.size());
                if (vocab_.strips_right(id))
                    while (!rest.empty() && is_ascii_space(rest.front())) rest.remove_prefix(1);
                hit = rest.find(special);
            }
            if (!rest.empty()) next.push_back(Fragment{no_token, rest});
        }
        fragments = std::move(next);
    }
    return fragments;
}

void Tokenizer::encode_spm(const std::vector<Fragment>& fragments, std::vector<int32_t>& out) const {
    bool after_special = true;  // the text start counts as following a special token
    for (const Fragment& fragment : fragments) {
        if (fragment.token != no_token) {
            out.push_back(fragment.token);
            after_special = true;
            continue;
        }
        std::string text;
        if (vocab_.flags().add_space_prefix && after_special) text = " ";
        text.append(fragment.text);
        spm_encode(vocab_, replace_all(text, " ", escaped_space), out);
        after_special = false;
    }
}

void Tokenizer::encode_bpe(const std::vector<Fragment>& fragments, std::vector<int32_t>& out) const {
    for (const Fragment& fragment : fragments) {
        if (fragment.token != no_token) {
            out.push_back(fragment.token);
        } else {
            bpe_encode(vocab_, fragment.text, out);
        }
    }
}

void Tokenizer::check_id(int32_t id) const {
    if (!vocab_.contains(id))
        throw Error(ErrorKind::bad_request, "token id " + std::to_string(id) + " is outside the vocab (" + std::to_string(vocab_.size()) + " tokens)");
}

std::string_view Tokenizer::cached_piece(int32_t id, PieceOptions options) const {
    check_id(id);
    const TokenType type = vocab_.type(id);
    if (!options.render_special && (type == TokenType::control || type == TokenType::unknown)) return {};
    return pieces_[static_cast<size_t>(id)];
}

std::string Tokenizer::token_to_piece(int32_t id, PieceOptions options) const { return std::string(cached_piece(id, options)); }

std::string Tokenizer::decode(std::span<const int32_t> ids, DecodeOptions options) const {
    const PieceOptions piece_options{.render_special = options.render_special};
    // encode put a space before the text (after a leading BOS); take it off again, unless the
    // rendered BOS text now comes first.
    const size_t first_text = !ids.empty() && ids.front() == bos() ? 1 : 0;
    const bool strip_space = options.strip_space_prefix && vocab_.flags().add_space_prefix && !(first_text == 1 && options.render_special);
    std::string text;
    for (size_t i = 0; i < ids.size(); ++i) {
        std::string_view piece = cached_piece(ids[i], piece_options);
        if (strip_space && i == first_text && !piece.empty() && piece.front() == ' ') piece.remove_prefix(1);
        text.append(piece);
    }
    if (options.clean_up_spaces && vocab_.flags().clean_spaces) return clean_up_spaces(text);
    return text;
}

}  // namespace hearth::tokenizer
