#include "core/tokenizer/detokenizer.h"

#include "core/tokenizer/unicode.h"

namespace hearth::tokenizer {
namespace {

constexpr std::string_view replacement_utf8 = "\xEF\xBF\xBD";

// Appends the valid characters of bytes to out, ill-formed parts as U+FFFD; returns how many
// trailing bytes form an incomplete character (not consumed).
size_t append_valid(std::string_view bytes, std::string& out) {
    size_t pos = 0;
    while (pos < bytes.size()) {
        const Utf8Sequence sequence = scan_utf8_sequence(bytes.substr(pos));
        switch (sequence.kind) {
            case Utf8Sequence::Kind::complete: out.append(bytes.substr(pos, sequence.length)); break;
            case Utf8Sequence::Kind::invalid: out.append(replacement_utf8); break;
            case Utf8Sequence::Kind::incomplete: return bytes.size() - pos;
        }
        pos += sequence.length;
    }
    return 0;
}

}  // namespace

Detokenizer::Detokenizer(const Tokenizer& tokenizer, PieceOptions options) : tokenizer_(tokenizer), options_(options) {}

std::string Detokenizer::push(int32_t id) {
    pending_ += tokenizer_.token_to_piece(id, options_);
    std::string out;
    const size_t held = append_valid(pending_, out);
    pending_.erase(0, pending_.size() - held);
    return out;
}

std::string Detokenizer::flush() {
    std::string out;
    if (append_valid(pending_, out) > 0) out.append(replacement_utf8);
    pending_.clear();
    return out;
}

std::string sanitize_utf8(std::string_view bytes) {
    std::string out;
    if (append_valid(bytes, out) > 0) out.append(replacement_utf8);
    return out;
}

}  // namespace hearth::tokenizer
