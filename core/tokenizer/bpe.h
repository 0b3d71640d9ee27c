#pragma once
// Byte-level BPE encoding of one text fragment: the vocab's pre-tokenizer splits it into words,
// each word is spelled in the byte-level alphabet, and merges apply lowest rank first.
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/tokenizer/vocab.h"

namespace hearth::tokenizer {

// Appends the token ids of text to out. vocab.kind() must be bpe.
void bpe_encode(const Vocab& vocab, std::string_view text, std::vector<int32_t>& out);

}  // namespace hearth::tokenizer
