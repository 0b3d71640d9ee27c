#pragma once
// Small hand-made vocabularies for unit tests.
#include <string>
#include <vector>

#include "core/tokenizer/vocab.h"

namespace hearth::test {

// SPM: <unk> <s> </s>, the 256 byte tokens <0x00>.. (ids 3..258), then scored pieces.
tokenizer::VocabSpec tiny_spm_spec();
// Byte-level BPE ("gpt-2" pre-tokenizer): the 256 byte-level characters (id = byte), then
// merged tokens and <|endoftext|>.
tokenizer::VocabSpec tiny_bpe_spec();

// Appends a token and returns its id.
int32_t add_token(tokenizer::VocabSpec& spec, const std::string& text, tokenizer::TokenType type, float score = 0.0f);

}  // namespace hearth::test
