#pragma once
// JSON in and out of template values: the tojson filter as HF transformers defines it
// (json.dumps with ensure_ascii=False, optional indent, separators and sort_keys) and the
// conversion of caller-supplied JSON (tools, extra variables) into values.
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "core/chat/jinja_value.h"

namespace hearth::jinja {

class Interpreter;

struct JsonFormat {
    std::optional<std::string> indent;  // nullopt: single line
    std::string item_separator = ", ";  // json.dumps uses "," when indenting
    std::string key_separator = ": ";
    bool sort_keys = false;
    bool ensure_ascii = false;
};

std::string to_json(Interpreter& interp, const Value& v, const JsonFormat& format);

// Throws TemplateError when the document nests deeper than kMaxValueDepth.
Value value_from_json(const nlohmann::ordered_json& j);

}  // namespace hearth::jinja
