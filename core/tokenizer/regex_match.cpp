// Backtracking execution of compiled pre-tokenizer regexes (see regex.h).
#include "core/tokenizer/regex.h"

namespace hearth::tokenizer {

using regex_detail::Op;

Regex::Regex(std::string_view pattern) : pattern_(pattern), program_(regex_detail::compile(pattern)) {}

RegexMatcher::RegexMatcher(const Regex& regex, std::span<const uint32_t> text) : program_(regex.program()), text_(text) {}

std::optional<RegexMatcher::Match> RegexMatcher::search(size_t from) {
    for (size_t begin = from; begin <= text_.size(); ++begin) {
        if (const auto end = run(0, begin, 0)) {
            if (*end > begin) return Match{begin, *end};
            // An empty match yields no piece; keep looking from the next position.
        }
    }
    return std::nullopt;
}

// Explores alternatives depth-first in priority order; the first `match` reached wins.
std::optional<size_t> RegexMatcher::run(uint32_t start_pc, size_t start_pos, size_t depth) {
    const auto& code = program_.code;
    if (stacks_.size() <= depth) stacks_.resize(depth + 1);
    Stack& stack = stacks_[depth];
    stack.clear();
    stack.emplace_back(start_pc, start_pos);
    while (!stack.empty()) {
        auto [pc, pos] = stack.back();
        stack.pop_back();
        for (bool alive = true; alive;) {
            const auto& inst = code[pc];
            switch (inst.op) {
                case Op::char_class:
                    alive = pos < text_.size() && program_.classes[inst.x].contains(text_[pos]);
                    ++pc;
                    ++pos;
                    break;
                case Op::split:
                    stack.emplace_back(inst.y, pos);
                    pc = inst.x;
                    break;
                case Op::jump: pc = inst.x; break;
                case Op::assert_begin:
                    alive = pos == 0;
                    ++pc;
                    break;
                case Op::assert_end:
                    alive = pos == text_.size();
                    ++pc;
                    break;
                case Op::lookahead:
                case Op::negative_lookahead: {
                    const bool found = run(inst.x, pos, depth + 1).has_value();
                    alive = found == (inst.op == Op::lookahead);
                    pc = inst.y;
                    break;
                }
                case Op::match: return pos;
            }
        }
    }
    return std::nullopt;
}

}  // namespace hearth::tokenizer
