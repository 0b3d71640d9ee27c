#include "core/chat/jinja_lexer.h"

#include <algorithm>
#include <optional>

#include "core/chat/jinja_strings.h"
#include "core/error.h"

namespace hearth::jinja {

namespace {

enum class TagKind { variable, block, comment };

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_start(char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// jinja2 drops one final newline (keep_trailing_newline=False) and turns \r\n and \r into \n.
std::string normalize_source(std::string_view source) {
    std::string out;
    out.reserve(source.size());
    for (std::size_t i = 0; i < source.size(); ++i) {
        if (source[i] == '\r') {
            out.push_back('\n');
            if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
        } else {
            out.push_back(source[i]);
        }
    }
    if (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

// Decodes the escapes of a string literal the way Python's "unicode-escape" codec does.
class StringUnescaper {
public:
    explicit StringUnescaper(std::string_view raw) : raw_(raw) {}

    std::optional<std::string> run() {
        std::string out;
        for (std::size_t i = 0; i < raw_.size(); ++i) {
            if (raw_[i] != '\\' || i + 1 == raw_.size()) {
                out.push_back(raw_[i]);
                continue;
            }
            const char c = raw_[++i];
            switch (c) {
                case '\n': break;  // line continuation
                case '\\': out.push_back('\\'); break;
                case '\'': out.push_back('\''); break;
                case '"': out.push_back('"'); break;
                case 'a': out.push_back('\a'); break;
                case 'b': out.push_back('\b'); break;
                case 'f': out.push_back('\f'); break;
                case 'n': out.push_back('\n'); break;
                case 'r': out.push_back('\r'); break;
                case 't': out.push_back('\t'); break;
                case 'v': out.push_back('\v'); break;
                case 'x':
                case 'u':
                case 'U': {
                    const std::size_t digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
                    if (!hex_escape(i, digits, out)) return std::nullopt;
                    break;
                }
                default:
                    if (c >= '0' && c <= '7') {
                        octal_escape(i, out);
                    } else {
                        out.push_back('\\');
                        out.push_back(c);
                    }
            }
        }
        return out;
    }

private:
    bool hex_escape(std::size_t& i, std::size_t digits, std::string& out) const {
        if (i + digits >= raw_.size()) return false;
        char32_t cp = 0;
        for (std::size_t k = 1; k <= digits; ++k) {
            const char h = raw_[i + k];
            if (!is_hex(h)) return false;
            cp = cp * 16 + static_cast<char32_t>(is_digit(h) ? h - '0' : (h | 0x20) - 'a' + 10);
        }
        if (cp > 0x10FFFF) return false;
        text::append_utf8(out, cp);
        i += digits;
        return true;
    }

    void octal_escape(std::size_t& i, std::string& out) const {
        char32_t cp = 0;
        std::size_t k = 0;
        while (k < 3 && i + k < raw_.size() && raw_[i + k] >= '0' && raw_[i + k] <= '7') {
            cp = cp * 8 + static_cast<char32_t>(raw_[i + k] - '0');
            ++k;
        }
        text::append_utf8(out, cp);
        i += k - 1;
    }

    std::string_view raw_;
};

class Lexer {
public:
    explicit Lexer(std::string_view source) : src_(normalize_source(source)) {}

    std::vector<Token> run() {
        while (pos_ < src_.size()) {
            const std::size_t tag = find_tag(pos_);
            if (tag == std::string::npos) {
                push_data(src_.substr(pos_));
                break;
            }
            lex_tag(tag);
        }
        tokens_.push_back({TokenKind::eof, "", line_});
        return std::move(tokens_);
    }

private:
    [[noreturn]] void fail(const std::string& message) const {
        throw Error(ErrorKind::bad_request,
                    "chat template syntax error (line " + std::to_string(line_) + "): " + message);
    }

    std::size_t find_tag(std::size_t from) const {
        for (std::size_t i = src_.find('{', from); i != std::string::npos; i = src_.find('{', i + 1)) {
            if (i + 1 < src_.size() && (src_[i + 1] == '{' || src_[i + 1] == '%' || src_[i + 1] == '#')) {
                return i;
            }
        }
        return std::string::npos;
    }

    void push_data(std::string text) {
        if (!text.empty()) tokens_.push_back({TokenKind::data, std::move(text), line_});
    }

    void advance_to(std::size_t pos) {
        line_ += static_cast<int>(std::count(src_.begin() + static_cast<std::ptrdiff_t>(pos_),
                                             src_.begin() + static_cast<std::ptrdiff_t>(pos), '\n'));
        line_starting_ = pos > 0 && src_[pos - 1] == '\n';
        pos_ = pos;
    }

    std::size_t skip_space(std::size_t pos) const {
        while (pos < src_.size()) {
            const std::size_t len = space_length(pos);
            if (len == 0) break;
            pos += len;
        }
        return pos;
    }

    // Byte length of the whitespace character at pos (Python's \s), or 0.
    std::size_t space_length(std::size_t pos) const {
        const auto c = static_cast<unsigned char>(src_[pos]);
        if (c < 0x80) return text::is_space(c) ? 1 : 0;
        std::size_t len = 1;
        while (pos + len < src_.size() && len < 4 && (static_cast<unsigned char>(src_[pos + len]) & 0xC0) == 0x80) {
            ++len;
        }
        const std::u32string cp = text::decode(std::string_view(src_).substr(pos, len));
        return cp.size() == 1 && text::is_space(cp[0]) ? len : 0;
    }

    bool starts_with(std::size_t pos, std::string_view s) const {
        return src_.compare(pos, s.size(), s) == 0;
    }

    // The text before a tag, after `-` stripping or lstrip_blocks.
    std::string leading_text(std::string_view text, char sign, TagKind kind) const {
        if (sign == '-') return text::strip(text, std::nullopt, text::StripSide::right);
        if (sign == '+' || kind == TagKind::variable) return std::string(text);
        const std::size_t newline = text.rfind('\n');
        const std::size_t line_start = newline == std::string_view::npos ? 0 : newline + 1;
        if (line_start == 0 && !line_starting_) return std::string(text);
        const std::string_view tail = text.substr(line_start);
        if (tail.empty() || !text::strip(tail, std::nullopt, text::StripSide::left).empty()) {
            return std::string(text);
        }
        return std::string(text.substr(0, line_start));
    }

    void lex_tag(std::size_t tag) {
        const char opener = src_[tag + 1];
        const TagKind kind = opener == '{' ? TagKind::variable : opener == '%' ? TagKind::block : TagKind::comment;
        std::size_t after = tag + 2;
        const char sign = after < src_.size() && (src_[after] == '-' || src_[after] == '+') ? src_[after] : '\0';
        if (sign) ++after;
        const std::size_t raw_body = kind == TagKind::block ? raw_begin_end(tag + 2) : std::string::npos;
        push_data(leading_text(std::string_view(src_).substr(pos_, tag - pos_), sign, kind));
        advance_to(tag);
        if (raw_body != std::string::npos) return lex_raw(raw_body);
        if (kind == TagKind::comment) return lex_comment(after);
        tokens_.push_back({kind == TagKind::block ? TokenKind::block_begin : TokenKind::var_begin, "", line_});
        advance_to(after);
        lex_inside(kind);
    }

    // If `{%` at pos-2 opens {% raw %}, returns where the raw body starts.
    std::size_t raw_begin_end(std::size_t pos) const {
        if (pos < src_.size() && (src_[pos] == '-' || src_[pos] == '+')) ++pos;
        pos = skip_space(pos);
        if (!starts_with(pos, "raw")) return std::string::npos;
        pos = skip_space(pos + 3);
        if (starts_with(pos, "-%}")) return skip_space(pos + 3);
        if (starts_with(pos, "%}")) return pos + 2;
        return std::string::npos;
    }

    void lex_raw(std::size_t body) {
        for (std::size_t tag = src_.find("{%", body); tag != std::string::npos; tag = src_.find("{%", tag + 1)) {
            std::size_t p = tag + 2;
            const char sign = p < src_.size() && (src_[p] == '-' || src_[p] == '+') ? src_[p] : '\0';
            if (sign) ++p;
            p = skip_space(p);
            if (!starts_with(p, "endraw")) continue;
            p = skip_space(p + 6);
            const std::size_t end = block_end_length(p);
            if (end == 0) continue;
            advance_to(body);
            push_data(leading_text(std::string_view(src_).substr(body, tag - body), sign, TagKind::block));
            advance_to(p + end);
            return;
        }
        fail("missing end of raw directive");
    }

    // Length of a block end at pos (with its trailing whitespace handling), or 0.
    std::size_t block_end_length(std::size_t pos) const {
        if (starts_with(pos, "+%}")) return 3;
        if (starts_with(pos, "-%}")) return skip_space(pos + 3) - pos;
        if (starts_with(pos, "%}")) return pos + 2 < src_.size() && src_[pos + 2] == '\n' ? 3 : 2;
        return 0;
    }

    void lex_comment(std::size_t body) {
        for (std::size_t end = src_.find("#}", body); end != std::string::npos; end = src_.find("#}", end + 1)) {
            std::size_t after = end + 2;
            const char sign = end > body ? src_[end - 1] : '\0';
            if (sign == '-') {
                after = skip_space(after);
            } else if (sign != '+' && after < src_.size() && src_[after] == '\n') {
                ++after;
            }
            advance_to(after);
            return;
        }
        fail("missing end of comment tag");
    }

    void lex_inside(TagKind kind) {
        std::vector<char> brackets;
        while (true) {
            if (brackets.empty() && lex_tag_end(kind)) return;
            if (pos_ >= src_.size()) fail("unexpected end of template inside a tag");
            const std::size_t ws = skip_space(pos_);
            if (ws != pos_) {
                advance_to(ws);
                continue;
            }
            if (!lex_number() && !lex_name() && !lex_string()) lex_operator(brackets);
        }
    }

    bool lex_tag_end(TagKind kind) {
        std::size_t len = 0;
        if (kind == TagKind::block) {
            len = block_end_length(pos_);
        } else if (starts_with(pos_, "-}}")) {
            len = skip_space(pos_ + 3) - pos_;
        } else if (starts_with(pos_, "}}")) {
            len = 2;
        }
        if (len == 0) return false;
        tokens_.push_back({kind == TagKind::block ? TokenKind::block_end : TokenKind::var_end, "", line_});
        advance_to(pos_ + len);
        return true;
    }

    // (\d+_)*\d+ ; returns the end, or npos when no digits start at pos.
    std::size_t digits_end(std::size_t pos) const {
        if (pos >= src_.size() || !is_digit(src_[pos])) return std::string::npos;
        while (true) {
            while (pos < src_.size() && is_digit(src_[pos])) ++pos;
            if (pos + 1 < src_.size() && src_[pos] == '_' && is_digit(src_[pos + 1])) {
                ++pos;
                continue;
            }
            return pos;
        }
    }

    std::size_t exponent_end(std::size_t pos) const {
        if (pos >= src_.size() || (src_[pos] != 'e' && src_[pos] != 'E')) return std::string::npos;
        ++pos;
        if (pos < src_.size() && (src_[pos] == '+' || src_[pos] == '-')) ++pos;
        return digits_end(pos);
    }

    bool lex_number() {
        const std::size_t int_end = digits_end(pos_);
        if (int_end == std::string::npos) return false;
        std::size_t end = int_end;
        bool is_float = false;
        if (pos_ == 0 || src_[pos_ - 1] != '.') {
            std::size_t frac_end = std::string::npos;
            if (int_end < src_.size() && src_[int_end] == '.') frac_end = digits_end(int_end + 1);
            const std::size_t exp_end = exponent_end(frac_end != std::string::npos ? frac_end : int_end);
            if (exp_end != std::string::npos) {
                end = exp_end, is_float = true;
            } else if (frac_end != std::string::npos) {
                end = frac_end, is_float = true;
            }
        }
        std::string digits;
        for (char c : std::string_view(src_).substr(pos_, end - pos_)) {
            if (c != '_') digits.push_back(c);
        }
        tokens_.push_back({is_float ? TokenKind::floating : TokenKind::integer, std::move(digits), line_});
        advance_to(end);
        return true;
    }

    bool lex_name() {
        if (!is_name_start(src_[pos_])) return false;
        std::size_t end = pos_;
        while (end < src_.size() && is_name_char(src_[end])) ++end;
        tokens_.push_back({TokenKind::name, src_.substr(pos_, end - pos_), line_});
        advance_to(end);
        return true;
    }

    bool lex_string() {
        const char quote = src_[pos_];
        if (quote != '\'' && quote != '"') return false;
        std::size_t end = pos_ + 1;
        while (end < src_.size() && src_[end] != quote) end += src_[end] == '\\' ? 2 : 1;
        if (end >= src_.size()) fail("unterminated string");
        auto value = StringUnescaper(std::string_view(src_).substr(pos_ + 1, end - pos_ - 1)).run();
        if (!value) fail("malformed escape in string literal");
        tokens_.push_back({TokenKind::string, std::move(*value), line_});
        advance_to(end + 1);
        return true;
    }

    void lex_operator(std::vector<char>& brackets) {
        static constexpr std::string_view kTwoChar[] = {"//", "**", "==", "!=", ">=", "<="};
        for (std::string_view op : kTwoChar) {
            if (starts_with(pos_, op)) {
                tokens_.push_back({TokenKind::op, std::string(op), line_});
                advance_to(pos_ + 2);
                return;
            }
        }
        const char c = src_[pos_];
        if (std::string_view("+-/*%~[](){}><=.:|,;").find(c) == std::string_view::npos) {
            fail(std::string("unexpected character '") + c + "'");
        }
        if (c == '(' || c == '[' || c == '{') brackets.push_back(c == '(' ? ')' : c == '[' ? ']' : '}');
        if (c == ')' || c == ']' || c == '}') {
            if (brackets.empty() || brackets.back() != c) fail(std::string("unexpected '") + c + "'");
            brackets.pop_back();
        }
        tokens_.push_back({TokenKind::op, std::string(1, c), line_});
        advance_to(pos_ + 1);
    }

    std::string src_;
    std::size_t pos_ = 0;
    int line_ = 1;
    bool line_starting_ = true;
    std::vector<Token> tokens_;
};

}  // namespace

std::vector<Token> tokenize(std::string_view source) { return Lexer(source).run(); }

}  // namespace hearth::jinja
