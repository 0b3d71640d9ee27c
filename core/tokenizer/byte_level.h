#pragma once
// GPT-2's byte-level alphabet: every byte maps to one printable code point, so byte-level BPE
// vocabularies can spell arbitrary bytes with ordinary (UTF-8) token strings.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hearth::tokenizer {

// The code point that stands for a byte: printable Latin-1 bytes ('!'..'~', U+00A1..U+00AC,
// U+00AE..U+00FF) stand for themselves, the other 68 bytes for U+0100, U+0101, ... in order.
uint32_t byte_to_codepoint(uint8_t byte);
std::optional<uint8_t> codepoint_to_byte(uint32_t cpt);

// Spells raw bytes in the byte-level alphabet (as UTF-8).
std::string byte_level_encode(std::string_view bytes);

// The bytes a byte-level token string stands for. Code points outside the alphabet are kept
// as their UTF-8 (a malformed vocab; llama.cpp writes a marker instead).
std::string byte_level_decode(std::string_view text);

}  // namespace hearth::tokenizer
