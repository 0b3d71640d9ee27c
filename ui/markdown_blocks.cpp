#include "ui/markdown_blocks.h"

#include <optional>

namespace hearth::ui {
namespace {

constexpr size_t kMaxFenceIndent = 3;

struct Line {
    std::string_view text;  // without the newline
    size_t begin = 0;       // offset of the line in the message
    size_t end = 0;         // offset just past its newline (or the message end)
};

Line line_at(std::string_view message, size_t begin) {
    const size_t newline = message.find('\n', begin);
    const size_t text_end = newline == std::string_view::npos ? message.size() : newline;
    const size_t end = newline == std::string_view::npos ? message.size() : newline + 1;
    return {message.substr(begin, text_end - begin), begin, end};
}

// The text after ``` when the line is a fence, else nothing.
std::optional<std::string_view> fence_info(std::string_view line) {
    const size_t indent = line.find_first_not_of(' ');
    if (indent == std::string_view::npos || indent > kMaxFenceIndent) return std::nullopt;
    if (line.substr(indent, 3) != "```") return std::nullopt;
    return line.substr(indent + 3);
}

std::string first_word(std::string_view info) {
    const size_t start = info.find_first_not_of(" \t");
    if (start == std::string_view::npos) return {};
    const size_t stop = info.find_first_of(" \t\r", start);
    return std::string(info.substr(start, stop == std::string_view::npos ? std::string_view::npos : stop - start));
}

void add_block(std::vector<TextBlock>& blocks, BlockKind kind, std::string language, std::string_view text) {
    // A code block keeps its text as written; prose drops the blank lines around fences.
    if (kind == BlockKind::prose) {
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
        while (!text.empty() && (text.front() == '\n' || text.front() == '\r')) text.remove_prefix(1);
        if (text.empty()) return;
    }
    blocks.push_back({kind, std::move(language), text});
}

}  // namespace

std::vector<TextBlock> split_fenced_blocks(std::string_view message) {
    std::vector<TextBlock> blocks;
    size_t segment_begin = 0;  // start of the prose or code text being collected
    bool in_code = false;
    std::string language;
    for (size_t pos = 0; pos < message.size();) {
        const Line line = line_at(message, pos);
        if (const auto info = fence_info(line.text)) {
            const std::string_view segment = message.substr(segment_begin, line.begin - segment_begin);
            if (in_code) {
                // The code text ends before the closing fence's line; drop its last newline.
                std::string_view code = segment;
                if (!code.empty() && code.back() == '\n') code.remove_suffix(1);
                add_block(blocks, BlockKind::code, std::move(language), code);
                language.clear();
            } else {
                add_block(blocks, BlockKind::prose, {}, segment);
                language = first_word(*info);
            }
            in_code = !in_code;
            segment_begin = line.end;
        }
        pos = line.end;
    }
    const std::string_view rest = message.substr(segment_begin);
    if (in_code) {
        add_block(blocks, BlockKind::code, std::move(language), rest);
    } else {
        add_block(blocks, BlockKind::prose, {}, rest);
    }
    return blocks;
}

}  // namespace hearth::ui
