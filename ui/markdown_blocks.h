#pragma once
// Splitting a chat message into prose and ``` fenced code blocks, so code can be drawn in a
// monospaced font. A fence that is still open (an answer streaming in) runs to the end.
#include <string>
#include <string_view>
#include <vector>

namespace hearth::ui {

enum class BlockKind { prose, code };

struct TextBlock {
    BlockKind kind = BlockKind::prose;
    std::string language;  // the word after the opening fence, "" when none (code only)
    std::string_view text; // a view into the message, without the fence lines
};

// A fence is a line whose first non-blank characters are ``` (up to three spaces of indent).
// Empty prose between blocks is left out.
std::vector<TextBlock> split_fenced_blocks(std::string_view message);

}  // namespace hearth::ui
