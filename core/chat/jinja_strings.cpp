#include "core/chat/jinja_strings.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "core/chat/jinja_value.h"

namespace hearth::jinja::text {

namespace {

constexpr char32_t kEscapeBase = 0xDC00;  // invalid byte b decodes to U+DC00 + b

bool is_continuation(unsigned char b) { return (b & 0xC0) == 0x80; }

// Decodes one well-formed sequence at s[i]; returns its length, or 0 when malformed.
std::size_t decode_one(std::string_view s, std::size_t i, char32_t& out) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if (b0 < 0x80) {
        out = b0;
        return 1;
    } else if ((b0 & 0xE0) == 0xC0) {
        len = 2, cp = b0 & 0x1F, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
        len = 3, cp = b0 & 0x0F, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
        len = 4, cp = b0 & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (i + len > s.size()) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if (!is_continuation(b)) return 0;
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    out = cp;
    return len;
}

bool is_cased_letter(char32_t c) {
    if (is_ascii_alpha(c)) return true;
    if (c >= 0xC0 && c <= 0x24F) return c != 0xD7 && c != 0xF7;
    return (c >= 0x370 && c <= 0x52F) || (c >= 0x1E00 && c <= 0x1FFF);
}

char32_t to_upper(char32_t c) { return (c >= 'a' && c <= 'z') ? c - 32 : c; }
char32_t to_lower(char32_t c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

// Python's str.isprintable() for the code points chat text contains in practice.
bool is_printable(char32_t c) {
    if (c < 0x20 || c == 0x7F) return false;
    if (c >= 0x80 && c <= 0xA0) return false;
    if (c == 0xAD || c == 0x1680 || c == 0x3000 || c == 0xFEFF) return false;
    if (c >= 0x2000 && c <= 0x200F) return false;
    if (c >= 0x2028 && c <= 0x202F) return false;
    if (c >= 0x205F && c <= 0x206F) return false;
    if (c >= 0xD800 && c <= 0xF8FF) return false;  // surrogates and private use
    return c < 0xF0000;
}

void append_hex_escape(std::string& out, char prefix, char32_t c, int digits) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "\\%c%0*x", prefix, digits, static_cast<unsigned>(c));
    out += buf;
}

bool in_set(const std::u32string& set, char32_t c) {
    return set.find(c) != std::u32string::npos;
}

}  // namespace

std::u32string decode(std::string_view s) {
    std::u32string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        char32_t cp = 0;
        const std::size_t len = decode_one(s, i, cp);
        if (len == 0) {
            out.push_back(kEscapeBase + static_cast<unsigned char>(s[i]));
            ++i;
        } else {
            out.push_back(cp);
            i += len;
        }
    }
    return out;
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp >= kEscapeBase + 0x80 && cp <= kEscapeBase + 0xFF) {
        out.push_back(static_cast<char>(cp - kEscapeBase));
    } else if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

std::string encode(std::u32string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char32_t c : s) append_utf8(out, c);
    return out;
}

std::size_t length(std::string_view s) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size();) {
        char32_t cp = 0;
        const std::size_t len = decode_one(s, i, cp);
        i += len == 0 ? 1 : len;
        ++n;
    }
    return n;
}

bool is_space(char32_t c) {
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
           c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
           c == 0x202F || c == 0x205F || c == 0x3000;
}

bool is_ascii_alpha(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string strip(std::string_view s, const std::optional<std::string>& chars, StripSide side) {
    const std::u32string cps = decode(s);
    const std::u32string set = chars ? decode(*chars) : std::u32string();
    auto strippable = [&](char32_t c) { return chars ? in_set(set, c) : is_space(c); };
    std::size_t begin = 0;
    std::size_t end = cps.size();
    if (side != StripSide::right) {
        while (begin < end && strippable(cps[begin])) ++begin;
    }
    if (side != StripSide::left) {
        while (end > begin && strippable(cps[end - 1])) --end;
    }
    return encode(std::u32string_view(cps).substr(begin, end - begin));
}

std::vector<std::string> split(std::string_view s, const std::optional<std::string>& sep,
                               std::int64_t maxsplit) {
    std::vector<std::string> parts;
    if (sep) {
        if (sep->empty()) throw TemplateError("split(): empty separator");
        std::size_t start = 0;
        while (maxsplit < 0 || static_cast<std::int64_t>(parts.size()) < maxsplit) {
            const std::size_t at = s.find(*sep, start);
            if (at == std::string_view::npos) break;
            parts.emplace_back(s.substr(start, at - start));
            start = at + sep->size();
        }
        parts.emplace_back(s.substr(start));
        return parts;
    }
    const std::u32string cps = decode(s);
    std::size_t i = 0;
    while (true) {
        while (i < cps.size() && is_space(cps[i])) ++i;
        if (i == cps.size()) break;
        if (maxsplit >= 0 && static_cast<std::int64_t>(parts.size()) == maxsplit) {
            parts.push_back(encode(std::u32string_view(cps).substr(i)));
            break;
        }
        std::size_t j = i;
        while (j < cps.size() && !is_space(cps[j])) ++j;
        parts.push_back(encode(std::u32string_view(cps).substr(i, j - i)));
        i = j;
    }
    return parts;
}

std::string replace(std::string_view s, std::string_view old, std::string_view with,
                    std::int64_t count) {
    std::string out;
    std::int64_t done = 0;
    if (old.empty()) {  // Python inserts `with` before every character and at the end
        const std::u32string cps = decode(s);
        for (char32_t c : cps) {
            if (count < 0 || done < count) out += with, ++done;
            append_utf8(out, c);
        }
        if (count < 0 || done < count) out += with;
        return out;
    }
    std::size_t start = 0;
    while (count < 0 || done < count) {
        const std::size_t at = s.find(old, start);
        if (at == std::string_view::npos) break;
        out.append(s.substr(start, at - start));
        out.append(with);
        start = at + old.size();
        ++done;
    }
    out.append(s.substr(start));
    return out;
}

std::int64_t find(std::string_view s, std::string_view sub) {
    const std::size_t at = s.find(sub);
    if (at == std::string_view::npos) return -1;
    return static_cast<std::int64_t>(length(s.substr(0, at)));
}

std::int64_t count(std::string_view s, std::string_view sub) {
    if (sub.empty()) return static_cast<std::int64_t>(length(s)) + 1;
    std::int64_t n = 0;
    for (std::size_t at = s.find(sub); at != std::string_view::npos; at = s.find(sub, at + sub.size())) {
        ++n;
    }
    return n;
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(to_upper(static_cast<unsigned char>(c)));
    return out;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(to_lower(static_cast<unsigned char>(c)));
    return out;
}

std::string py_title(std::string_view s) {
    std::u32string cps = decode(s);
    bool previous_cased = false;
    for (char32_t& c : cps) {
        const bool cased = is_cased_letter(c);
        c = cased && previous_cased ? to_lower(c) : to_upper(c);
        previous_cased = cased;
    }
    return encode(cps);
}

std::string jinja_title(std::string_view s) {
    std::u32string cps = decode(s);
    auto is_separator = [](char32_t c) {
        return c == '-' || c == '(' || c == '{' || c == '[' || c == '<' || is_space(c);
    };
    bool word_start = true;
    for (char32_t& c : cps) {
        if (is_separator(c)) {
            word_start = true;
            continue;
        }
        c = word_start ? to_upper(c) : to_lower(c);
        word_start = false;
    }
    return encode(cps);
}

std::string capitalize(std::string_view s) {
    std::u32string cps = decode(s);
    for (std::size_t i = 0; i < cps.size(); ++i) cps[i] = i == 0 ? to_upper(cps[i]) : to_lower(cps[i]);
    return encode(cps);
}

std::string repr(std::string_view s) {
    const std::u32string cps = decode(s);
    const bool has_single = cps.find(U'\'') != std::u32string::npos;
    const bool has_double = cps.find(U'"') != std::u32string::npos;
    const char32_t quote = has_single && !has_double ? U'"' : U'\'';
    std::string out(1, static_cast<char>(quote));
    for (char32_t c : cps) {
        if (c == quote || c == U'\\') {
            out.push_back('\\');
            out.push_back(static_cast<char>(c));
        } else if (c == U'\n') {
            out += "\\n";
        } else if (c == U'\r') {
            out += "\\r";
        } else if (c == U'\t') {
            out += "\\t";
        } else if (is_printable(c)) {
            append_utf8(out, c);
        } else if (c < 0x100) {
            append_hex_escape(out, 'x', c, 2);
        } else if (c < 0x10000) {
            append_hex_escape(out, 'u', c, 4);
        } else {
            append_hex_escape(out, 'U', c, 8);
        }
    }
    out.push_back(static_cast<char>(quote));
    return out;
}

std::string format_float(double d) {
    if (std::isnan(d)) return "nan";
    if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    const std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
    // sci is "[-]d[.ddd]e(+|-)XX": shortest digits that round-trip, as Python's repr uses.
    const bool negative = sci.front() == '-';
    const std::size_t e_pos = sci.find('e');
    std::string digits;
    for (char c : sci.substr(negative ? 1 : 0, e_pos - (negative ? 1 : 0))) {
        if (c != '.') digits.push_back(c);
    }
    int exponent = 0;
    std::from_chars(sci.data() + e_pos + (sci[e_pos + 1] == '+' ? 2 : 1), sci.data() + sci.size(), exponent);
    std::string out = negative ? "-" : "";
    if (exponent >= -4 && exponent < 16) {
        if (exponent >= 0) {
            const auto int_len = static_cast<std::size_t>(exponent) + 1;
            if (digits.size() <= int_len) {
                out.append(digits).append(int_len - digits.size(), '0').append(".0");
            } else {
                out.append(digits, 0, int_len).append(".").append(digits, int_len);
            }
        } else {
            out.append("0.").append(static_cast<std::size_t>(-exponent - 1), '0').append(digits);
        }
        return out;
    }
    out += digits.substr(0, 1);
    if (digits.size() > 1) out.append(".").append(digits, 1);
    char exp_buf[16];
    std::snprintf(exp_buf, sizeof exp_buf, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    return out + exp_buf;
}

std::string json_quote(std::string_view s) {
    std::string out = "\"";
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                if (c < 0x20) {
                    append_hex_escape(out, 'u', c, 4);
                } else {
                    out.push_back(ch);
                }
        }
    }
    out.push_back('"');
    return out;
}

}  // namespace hearth::jinja::text
