#pragma once
// A small backtracking regular-expression engine over Unicode code points, for the
// pre-tokenizer patterns of BPE vocabularies. Semantics follow ECMAScript (leftmost match,
// ordered alternation, atomic lookahead), as llama.cpp's std::regex path does, with Unicode
// categories taken from the generated tables.
//
// Syntax: literals (UTF-8), `.`, classes `[...]` / `[^...]` with ranges, `\s \S \d \D \w \W`
// (\d and \w are ASCII, as in ECMAScript), `\p{X}` / `\P{X}` for the major categories
// L N P M S Z C (letter subcategories such as Lu count as L, like llama.cpp), escapes
// `\r \n \t \f \v` and escaped punctuation, groups `(...)` `(?:...)` `(?i:...)` (case-insensitive
// for single characters), lookahead `(?=...)` `(?!...)`, quantifiers `* + ? {n} {n,} {n,m}` and
// their lazy forms, anchors `^ $`, alternation `|`. Captures are not recorded.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hearth::tokenizer {

namespace regex_detail {

// A set of code points: literal ranges, categories and the \s \d \w shorthands (each possibly
// negated), optionally complemented as a whole.
struct CharClass {
    std::vector<std::pair<uint32_t, uint32_t>> ranges;  // inclusive
    uint32_t categories = 0;                            // bit per Category
    uint32_t excluded_categories = 0;                   // \P{X}: bit per Category
    uint8_t shorthands = 0;                             // Shorthand bits
    uint8_t negated_shorthands = 0;                     // \S \D \W
    bool negated = false;
    bool case_insensitive = false;
    bool contains(uint32_t cpt) const;
};

enum Shorthand : uint8_t { shorthand_space = 1, shorthand_digit = 2, shorthand_word = 4 };

enum class Op : uint8_t { char_class, split, jump, assert_begin, assert_end, lookahead, negative_lookahead, match };

// One instruction. char_class: x = class index. split: try x first, then y. jump: go to x.
// lookahead: the sub-program starts at x (ends with its own match); continue at y.
struct Inst {
    Op op = Op::match;
    uint32_t x = 0;
    uint32_t y = 0;
};

struct Program {
    std::vector<Inst> code;
    std::vector<CharClass> classes;
};

// Parses and compiles a pattern; throws Error(internal) naming the problem.
Program compile(std::string_view pattern);

}  // namespace regex_detail

class Regex {
public:
    explicit Regex(std::string_view pattern);
    const std::string& pattern() const { return pattern_; }
    const regex_detail::Program& program() const { return program_; }

private:
    std::string pattern_;
    regex_detail::Program program_;
};

// Searches one text for successive matches of one Regex. Anchors and lookaheads see only this
// text. Holds the backtracking stack, so reuse one matcher for all searches over a text.
class RegexMatcher {
public:
    struct Match {
        size_t begin;
        size_t end;
    };
    RegexMatcher(const Regex& regex, std::span<const uint32_t> text);
    // The leftmost match that starts at or after `from`.
    std::optional<Match> search(size_t from);

private:
    using Stack = std::vector<std::pair<uint32_t, size_t>>;  // pending alternatives: (pc, position)
    // Runs the program from pc at pos; depth counts nested lookaheads, each with its own stack.
    std::optional<size_t> run(uint32_t pc, size_t pos, size_t depth);

    const regex_detail::Program& program_;
    std::span<const uint32_t> text_;
    std::deque<Stack> stacks_;  // one per lookahead depth; a deque keeps references stable as it grows
};

}  // namespace hearth::tokenizer
