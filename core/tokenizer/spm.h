#pragma once
// SentencePiece-style (SPM) encoding of one text fragment: characters merge pairwise, the
// best-scoring token first, and leftovers fall back to byte tokens <0xXX>.
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/tokenizer/vocab.h"

namespace hearth::tokenizer {

// text must already have its spaces escaped as U+2581. Appends the token ids to out.
void spm_encode(const Vocab& vocab, std::string_view text, std::vector<int32_t>& out);

}  // namespace hearth::tokenizer
