#pragma once
// The linked list of text pieces that SPM and BPE merge: one symbol per UTF-8 character to
// start with; merged-away symbols keep length 0, and prev/next link the live ones.
#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/tokenizer/unicode.h"

namespace hearth::tokenizer {

struct Symbol {
    int prev;
    int next;
    size_t start;
    size_t length;  // 0 once merged into its left neighbour
};

// Replaces `symbols` with one symbol per character of text (a truncated character at the end is
// one symbol too).
inline void split_utf8_symbols(std::string_view text, std::vector<Symbol>& symbols) {
    symbols.clear();
    size_t offset = 0;
    while (offset < text.size()) {
        const size_t length = std::min(utf8_length_from_lead(static_cast<uint8_t>(text[offset])), text.size() - offset);
        const int index = static_cast<int>(symbols.size());
        symbols.push_back(Symbol{index - 1, offset + length == text.size() ? -1 : index + 1, offset, length});
        offset += length;
    }
}

}  // namespace hearth::tokenizer
