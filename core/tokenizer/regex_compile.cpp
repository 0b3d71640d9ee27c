// Parser and compiler of the pre-tokenizer regex subset (see regex.h) into a backtracking program.
#include <limits>
#include <memory>

#include "core/error.h"
#include "core/tokenizer/regex.h"
#include "core/tokenizer/unicode.h"

namespace hearth::tokenizer::regex_detail {
namespace {

constexpr int unbounded = std::numeric_limits<int>::max();
constexpr int max_repeat = 1000;  // bounds the program size of {n,m}

struct Node {
    enum class Kind { empty, char_class, concat, alternate, repeat, lookahead, negative_lookahead, assert_begin, assert_end };
    Kind kind = Kind::empty;
    uint32_t class_index = 0;
    std::vector<Node> children;
    int min = 0;
    int max = 0;
    bool greedy = true;
};

uint32_t category_bit(Category category) { return 1u << static_cast<uint32_t>(category); }

class Parser {
public:
    Parser(std::string_view pattern, Program& program) : pattern_(pattern), cpts_(decode_utf8(pattern)), program_(program) {}

    Node parse() {
        Node node = parse_alternation();
        if (pos_ != cpts_.size()) fail("unbalanced ')'");
        return node;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw Error(ErrorKind::internal, "regex '" + std::string(pattern_) + "': " + what + " at code point " + std::to_string(pos_));
    }
    bool at_end() const { return pos_ >= cpts_.size(); }
    uint32_t peek() const { return at_end() ? 0 : cpts_[pos_]; }
    bool accept(uint32_t cpt) {
        if (at_end() || cpts_[pos_] != cpt) return false;
        ++pos_;
        return true;
    }
    uint32_t next() {
        if (at_end()) fail("unexpected end of pattern");
        return cpts_[pos_++];
    }

    Node parse_alternation() {
        Node first = parse_concat();
        if (peek() != '|') return first;
        Node alt{.kind = Node::Kind::alternate};
        alt.children.push_back(std::move(first));
        while (accept('|')) alt.children.push_back(parse_concat());
        return alt;
    }

    Node parse_concat() {
        Node concat{.kind = Node::Kind::concat};
        while (!at_end() && peek() != '|' && peek() != ')') concat.children.push_back(parse_quantified());
        return concat;
    }

    Node parse_quantified() {
        Node atom = parse_atom();
        for (;;) {
            int min = 0;
            int max = 0;
            if (accept('*')) {
                max = unbounded;
            } else if (accept('+')) {
                min = 1;
                max = unbounded;
            } else if (accept('?')) {
                max = 1;
            } else if (peek() == '{') {
                parse_braces(min, max);
            } else {
                return atom;
            }
            if (atom.kind == Node::Kind::assert_begin || atom.kind == Node::Kind::assert_end) fail("quantified anchor");
            Node repeat{.kind = Node::Kind::repeat, .min = min, .max = max, .greedy = !accept('?')};
            repeat.children.push_back(std::move(atom));
            atom = std::move(repeat);
        }
    }

    int parse_number() {
        int value = 0;
        bool any = false;
        while (peek() >= '0' && peek() <= '9') {
            value = value * 10 + static_cast<int>(next() - '0');
            if (value > max_repeat) fail("repeat count over " + std::to_string(max_repeat));
            any = true;
        }
        if (!any) fail("expected a number");
        return value;
    }

    void parse_braces(int& min, int& max) {
        next();  // '{'
        min = parse_number();
        max = min;
        if (accept(',')) max = peek() == '}' ? unbounded : parse_number();
        if (!accept('}')) fail("expected '}'");
        if (max < min) fail("{n,m} with m < n");
    }

    Node parse_atom() {
        const uint32_t cpt = next();
        switch (cpt) {
            case '(': return parse_group();
            case '[': return class_node(parse_class());
            case '.': {
                CharClass any;
                any.negated = true;
                any.ranges = {{'\n', '\n'}, {'\r', '\r'}, {0x2028, 0x2029}};
                return class_node(std::move(any));
            }
            case '^': return Node{.kind = Node::Kind::assert_begin};
            case '$': return Node{.kind = Node::Kind::assert_end};
            case '\\': {
                CharClass klass;
                parse_escape(klass);
                return class_node(std::move(klass));
            }
            case '*':
            case '+':
            case '?':
            case '{': fail("quantifier without a target");
            default: {
                CharClass literal;
                add_literal(literal, cpt, cpt);
                return class_node(std::move(literal));
            }
        }
    }

    Node parse_group() {
        Node::Kind kind = Node::Kind::concat;
        const bool saved_icase = case_insensitive_;
        if (accept('?')) {
            const uint32_t flag = next();
            if (flag == '=') {
                kind = Node::Kind::lookahead;
            } else if (flag == '!') {
                kind = Node::Kind::negative_lookahead;
            } else if (flag == 'i' && accept(':')) {
                case_insensitive_ = true;
            } else if (flag != ':') {
                fail("unsupported group type");
            }
        }
        Node inner = parse_alternation();
        case_insensitive_ = saved_icase;
        if (!accept(')')) fail("expected ')'");
        if (kind == Node::Kind::concat) return inner;
        Node group{.kind = kind};
        group.children.push_back(std::move(inner));
        return group;
    }

    CharClass parse_class() {
        CharClass klass;
        klass.negated = accept('^');
        bool first = true;
        while (first || peek() != ']') {
            first = false;
            uint32_t low = next();
            if (low == '\\') {
                if (!parse_class_escape(klass, low)) continue;
            }
            if (peek() == '-' && pos_ + 1 < cpts_.size() && cpts_[pos_ + 1] != ']') {
                next();  // '-'
                uint32_t high = next();
                if (high == '\\' && !parse_class_escape(klass, high)) fail("class range ends in a shorthand");
                if (high < low) fail("reversed class range");
                add_literal(klass, low, high);
            } else {
                add_literal(klass, low, low);
            }
        }
        next();  // ']'
        return klass;
    }

    // After a backslash inside a class: adds a shorthand and returns false, or stores the
    // escaped literal in `literal` and returns true.
    bool parse_class_escape(CharClass& klass, uint32_t& literal) {
        const uint32_t cpt = peek();
        if (is_shorthand(cpt)) {
            parse_escape(klass);
            return false;
        }
        literal = escaped_literal(next());
        return true;
    }

    static bool is_shorthand(uint32_t cpt) {
        return cpt == 's' || cpt == 'S' || cpt == 'd' || cpt == 'D' || cpt == 'w' || cpt == 'W' || cpt == 'p' || cpt == 'P';
    }

    // After a backslash outside a class (or a shorthand inside one): adds to klass.
    void parse_escape(CharClass& klass) {
        const uint32_t cpt = next();
        switch (cpt) {
            case 's': klass.shorthands |= shorthand_space; return;
            case 'S': klass.negated_shorthands |= shorthand_space; return;
            case 'd': klass.shorthands |= shorthand_digit; return;
            case 'D': klass.negated_shorthands |= shorthand_digit; return;
            case 'w': klass.shorthands |= shorthand_word; return;
            case 'W': klass.negated_shorthands |= shorthand_word; return;
            case 'p': klass.categories |= parse_category(); return;
            case 'P': klass.excluded_categories |= parse_category(); return;
            default: {
                const uint32_t literal = escaped_literal(cpt);
                add_literal(klass, literal, literal);
            }
        }
    }

    uint32_t parse_category() {
        if (!accept('{')) fail("expected '{' after \\p");
        std::string name;
        while (!at_end() && peek() != '}') name += static_cast<char>(next());
        if (!accept('}')) fail("unterminated \\p{...}");
        if (name.empty() || name.size() > 2) fail("unsupported category \\p{" + name + "}");
        // Subcategories collapse onto their major category, as in llama.cpp (\p{Lu} == \p{L}).
        switch (name[0]) {
            case 'L': return category_bit(Category::letter);
            case 'N': return category_bit(Category::number);
            case 'P': return category_bit(Category::punctuation);
            case 'M': return category_bit(Category::mark);
            case 'S': return category_bit(Category::symbol);
            case 'Z': return category_bit(Category::separator);
            case 'C': return category_bit(Category::other);
            default: fail("unsupported category \\p{" + name + "}");
        }
    }

    // The code point an escape stands for; \uHHHH and \u{H...} read their hex digits.
    uint32_t escaped_literal(uint32_t cpt) {
        switch (cpt) {
            case 'r': return '\r';
            case 'n': return '\n';
            case 't': return '\t';
            case 'f': return '\f';
            case 'v': return '\v';
            case 'u': return parse_hex_escape();
            default: break;
        }
        const bool letter_or_digit = (cpt >= 'a' && cpt <= 'z') || (cpt >= 'A' && cpt <= 'Z') || (cpt >= '0' && cpt <= '9');
        if (letter_or_digit) fail("unsupported escape");
        return cpt;
    }

    uint32_t parse_hex_escape() {
        const bool braced = accept('{');
        uint32_t value = 0;
        int digits = 0;
        while (braced ? peek() != '}' : digits < 4) {
            const uint32_t c = next();
            uint32_t digit = 0;
            if (c >= '0' && c <= '9') {
                digit = c - '0';
            } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
                digit = (c | 0x20) - 'a' + 10;
            } else {
                fail("bad hex digit in \\u escape");
            }
            value = value * 16 + digit;
            if (++digits > 6 || value > max_codepoint) fail("\\u escape past U+10FFFF");
        }
        if (braced) next();  // '}'
        if (digits == 0) fail("empty \\u escape");
        return value;
    }

    void add_literal(CharClass& klass, uint32_t low, uint32_t high) const {
        klass.ranges.emplace_back(low, high);
        if (case_insensitive_) {
            klass.case_insensitive = true;
            if (low == high && to_lower(low) != low) klass.ranges.emplace_back(to_lower(low), to_lower(low));
        }
    }

    Node class_node(CharClass klass) {
        program_.classes.push_back(std::move(klass));
        return Node{.kind = Node::Kind::char_class, .class_index = static_cast<uint32_t>(program_.classes.size() - 1)};
    }

    std::string_view pattern_;
    std::vector<uint32_t> cpts_;
    size_t pos_ = 0;
    bool case_insensitive_ = false;
    Program& program_;
};

bool can_match_empty(const Node& node) {
    switch (node.kind) {
        case Node::Kind::char_class: return false;
        case Node::Kind::concat:
            for (const Node& child : node.children)
                if (!can_match_empty(child)) return false;
            return true;
        case Node::Kind::alternate:
            for (const Node& child : node.children)
                if (can_match_empty(child)) return true;
            return false;
        case Node::Kind::repeat: return node.min == 0 || can_match_empty(node.children[0]);
        default: return true;  // empty, lookaheads and anchors consume nothing
    }
}

class Compiler {
public:
    Compiler(std::string_view pattern, Program& program) : pattern_(pattern), code_(program.code) {}

    void emit_node(const Node& node) {
        switch (node.kind) {
            case Node::Kind::empty: return;
            case Node::Kind::char_class: emit(Op::char_class, node.class_index); return;
            case Node::Kind::concat:
                for (const Node& child : node.children) emit_node(child);
                return;
            case Node::Kind::alternate: emit_alternate(node); return;
            case Node::Kind::repeat: emit_repeat(node); return;
            case Node::Kind::lookahead:
            case Node::Kind::negative_lookahead: emit_lookahead(node); return;
            case Node::Kind::assert_begin: emit(Op::assert_begin); return;
            case Node::Kind::assert_end: emit(Op::assert_end); return;
        }
    }

    void emit(Op op, uint32_t x = 0, uint32_t y = 0) { code_.push_back(Inst{op, x, y}); }

private:
    uint32_t here() const { return static_cast<uint32_t>(code_.size()); }

    void emit_alternate(const Node& node) {
        std::vector<uint32_t> jumps_to_end;
        for (size_t i = 0; i < node.children.size(); ++i) {
            const bool last = i + 1 == node.children.size();
            const uint32_t split = here();
            if (!last) emit(Op::split, split + 1);
            emit_node(node.children[i]);
            if (!last) {
                jumps_to_end.push_back(here());
                emit(Op::jump);
                code_[split].y = here();
            }
        }
        for (uint32_t jump : jumps_to_end) code_[jump].x = here();
    }

    // Prefers x (greedy) or y (lazy) in a split whose other branch is `other`.
    void set_split(uint32_t split, uint32_t body, uint32_t other, bool greedy) {
        code_[split].x = greedy ? body : other;
        code_[split].y = greedy ? other : body;
    }

    void emit_repeat(const Node& node) {
        const Node& body = node.children[0];
        if (node.max == unbounded && can_match_empty(body))
            throw Error(ErrorKind::internal, "regex '" + std::string(pattern_) + "': unbounded repeat of an empty-matching group");
        for (int i = 0; i < node.min; ++i) emit_node(body);
        if (node.max == unbounded) {
            const uint32_t loop = here();
            emit(Op::split);
            emit_node(body);
            emit(Op::jump, loop);
            set_split(loop, loop + 1, here(), node.greedy);
            return;
        }
        std::vector<uint32_t> splits;
        for (int i = node.min; i < node.max; ++i) {
            splits.push_back(here());
            emit(Op::split);
            emit_node(body);
        }
        for (uint32_t split : splits) set_split(split, split + 1, here(), node.greedy);
    }

    void emit_lookahead(const Node& node) {
        const uint32_t look = here();
        emit(node.kind == Node::Kind::lookahead ? Op::lookahead : Op::negative_lookahead, look + 1);
        emit_node(node.children[0]);
        emit(Op::match);
        code_[look].y = here();
    }

    std::string_view pattern_;
    std::vector<Inst>& code_;
};

}  // namespace

Program compile(std::string_view pattern) {
    Program program;
    const Node root = Parser(pattern, program).parse();
    Compiler compiler(pattern, program);
    compiler.emit_node(root);
    compiler.emit(Op::match);
    return program;
}

bool CharClass::contains(uint32_t cpt) const {
    auto raw_contains = [this](uint32_t c) {
        for (const auto& [low, high] : ranges)
            if (c >= low && c <= high) return true;
        return false;
    };
    bool found = raw_contains(cpt) || (case_insensitive && raw_contains(to_lower(cpt)));
    if (!found && (categories | excluded_categories) != 0) {
        const uint32_t bit = category_bit(category_of(cpt));
        found = (categories & bit) != 0 || (excluded_categories != 0 && (excluded_categories & bit) == 0);
    }
    if (!found && (shorthands | negated_shorthands) != 0) {
        const bool space = is_whitespace(cpt);
        const bool digit = cpt >= '0' && cpt <= '9';
        const bool word = digit || cpt == '_' || (cpt >= 'a' && cpt <= 'z') || (cpt >= 'A' && cpt <= 'Z');
        const uint8_t have = static_cast<uint8_t>((space ? shorthand_space : 0) | (digit ? shorthand_digit : 0) | (word ? shorthand_word : 0));
        found = (shorthands & have) != 0 || (negated_shorthands & ~have) != 0;
    }
    return found != negated;
}

}  // namespace hearth::tokenizer::regex_detail
