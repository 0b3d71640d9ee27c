#pragma once
// Unicode helpers for the tokenizers: code point properties from the generated tables and
// UTF-8 decoding/encoding with the same error handling as llama.cpp, so token ids match.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/tokenizer/unicode_data.h"

namespace hearth::tokenizer {

inline constexpr uint32_t replacement_char = 0xFFFD;
inline constexpr uint32_t max_codepoint = 0x10FFFF;

Category category_of(uint32_t cpt);
bool is_whitespace(uint32_t cpt);  // Unicode White_Space, the \s of tokenizer regexes
uint32_t to_lower(uint32_t cpt);    // simple lowercase mapping; unchanged when none

// Length of the UTF-8 sequence a byte starts, judged by its high nibble only (1 for
// continuation bytes). The SPM and BPE symbol splitters use this, as llama.cpp does.
size_t utf8_length_from_lead(uint8_t lead);

// Decodes UTF-8. A byte that does not begin a well-formed sequence (bad lead, missing
// continuation, or a value past U+10FFFF) becomes U+FFFD and decoding resumes at the next byte.
std::vector<uint32_t> decode_utf8(std::string_view text);

void append_utf8(std::string& out, uint32_t cpt);  // cpt must be <= max_codepoint
std::string encode_utf8(uint32_t cpt);

// Strict UTF-8 validation (no overlongs, surrogates or values past U+10FFFF) of the sequence
// that starts at bytes[0]: complete (length bytes form one character), incomplete (all of the
// bytes are a valid start of a longer character) or invalid (the first `length` bytes are the
// maximal ill-formed part, to be replaced by one U+FFFD). bytes must not be empty.
struct Utf8Sequence {
    enum class Kind { complete, incomplete, invalid };
    Kind kind;
    size_t length;
};
Utf8Sequence scan_utf8_sequence(std::string_view bytes);

}  // namespace hearth::tokenizer
