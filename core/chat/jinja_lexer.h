#pragma once
// Splits template source into data and tag tokens the way jinja2's lexer does with
// trim_blocks=True and lstrip_blocks=True (the settings HF transformers uses), including
// `-`/`+` whitespace control, comments, {% raw %} and the dropped final newline.
#include <string>
#include <string_view>
#include <vector>

namespace hearth::jinja {

enum class TokenKind {
    data,         // literal template text, whitespace control already applied
    var_begin,    // {{
    var_end,      // }}
    block_begin,  // {%
    block_end,    // %}
    name,
    string,       // text holds the unescaped value
    integer,      // text holds the digits without underscores
    floating,
    op,           // operator or punctuation, e.g. "==", "(", "|"
    eof,
};

struct Token {
    TokenKind kind;
    std::string text;
    int line;
};

// Throws hearth::Error(bad_request) naming the line on malformed input.
std::vector<Token> tokenize(std::string_view source);

}  // namespace hearth::jinja
