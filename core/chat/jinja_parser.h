#pragma once
// Builds the syntax tree of a template with jinja2's grammar and operator precedence.
#include <memory>
#include <string_view>

#include "core/chat/jinja_ast.h"

namespace hearth::jinja {

// Nesting of statements and expressions the parser accepts; deeper input is rejected so
// neither parsing nor rendering can exhaust the stack.
inline constexpr int kMaxParseDepth = 128;

// Throws hearth::Error(bad_request) naming the line on a syntax error or an unsupported tag.
std::unique_ptr<const Program> parse_template(std::string_view source);

}  // namespace hearth::jinja
