#pragma once
// Incremental detokenizing for streaming: feed generated token ids one at a time and get back
// only complete UTF-8 text. Bytes of a character split over several tokens are held until the
// character is complete; bytes that can never form one come out as U+FFFD, so the output is
// always valid UTF-8.
#include <cstdint>
#include <string>

#include "core/tokenizer/tokenizer.h"

namespace hearth::tokenizer {

class Detokenizer {
public:
    // The tokenizer must outlive the detokenizer.
    explicit Detokenizer(const Tokenizer& tokenizer, PieceOptions options = {});

    // Adds a token; returns the text completed by it (possibly empty). Throws Error(bad_request)
    // for an invalid id.
    std::string push(int32_t id);
    // Ends the stream: returns what is still held back (an incomplete character becomes U+FFFD).
    std::string flush();
    // Drops held-back bytes and starts a new stream.
    void reset() { pending_.clear(); }
    // Bytes held back waiting for the rest of a character (at most 3).
    size_t pending_bytes() const { return pending_.size(); }

private:
    const Tokenizer& tokenizer_;
    PieceOptions options_;
    std::string pending_;
};

// Replaces ill-formed UTF-8 with U+FFFD (one per maximal ill-formed part).
std::string sanitize_utf8(std::string_view bytes);

}  // namespace hearth::tokenizer
