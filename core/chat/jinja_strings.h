#pragma once
// Python str semantics over UTF-8 text: code-point indexing, whitespace as str.isspace(),
// split/strip/title/replace, repr() quoting, float repr and JSON string quoting.
// Case mapping covers ASCII only (non-ASCII letters keep their case).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hearth::jinja::text {

// Invalid UTF-8 bytes map to U+DC80..U+DCFF (like Python's surrogateescape) and back,
// so any byte string survives decode + encode unchanged.
std::u32string decode(std::string_view s);
std::string encode(std::u32string_view s);
void append_utf8(std::string& out, char32_t cp);
std::size_t length(std::string_view s);  // code points

bool is_space(char32_t c);  // Python str.isspace()
bool is_ascii_alpha(char32_t c);

enum class StripSide { both, left, right };
// chars == nullopt strips whitespace, as str.strip(); otherwise any of the given characters.
std::string strip(std::string_view s, const std::optional<std::string>& chars, StripSide side);

// str.split(sep, maxsplit); sep == nullopt splits on whitespace runs. Empty sep throws.
std::vector<std::string> split(std::string_view s, const std::optional<std::string>& sep,
                               std::int64_t maxsplit);
std::string replace(std::string_view s, std::string_view old, std::string_view with,
                    std::int64_t count);
std::int64_t find(std::string_view s, std::string_view sub);  // code-point index or -1
std::int64_t count(std::string_view s, std::string_view sub);

std::string upper(std::string_view s);
std::string lower(std::string_view s);
std::string py_title(std::string_view s);      // str.title()
std::string jinja_title(std::string_view s);   // the |title filter (splits on -, space, brackets)
std::string capitalize(std::string_view s);    // str.capitalize()

std::string repr(std::string_view s);            // Python repr() of a str
std::string format_float(double d);              // Python repr() of a float
std::string json_quote(std::string_view s);      // json.dumps(s, ensure_ascii=False)

}  // namespace hearth::jinja::text
