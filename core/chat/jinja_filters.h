#pragma once
// jinja2's built-in filters and tests that chat templates use, plus transformers' tojson.
#include <optional>
#include <string_view>

#include "core/chat/jinja_callable.h"

namespace hearth::jinja {

// Whether jinja2 defines the filter or test (a few of its rarer filters are not implemented
// and fail when applied); the parser rejects names jinja2 does not know.
bool is_jinja_filter(std::string_view name);
bool is_jinja_test(std::string_view name);

// Throws TemplateError for an unknown name or bad arguments.
Value apply_builtin_filter(Interpreter& interp, std::string_view name, const Value& subject, CallArgs args);
bool apply_builtin_test(Interpreter& interp, std::string_view name, const Value& subject, CallArgs args);

// Filters over sequences (map, select, reject, selectattr, rejectattr, sort, dictsort, unique,
// min, max, sum); nullopt when name is none of them.
std::optional<Value> apply_sequence_filter(Interpreter& interp, std::string_view name, const Value& subject,
                                           CallArgs& args);
bool is_sequence_filter(std::string_view name);

// jinja2's attribute getter for map/selectattr/sort/...: "a.b.0" looks up each part as an item.
Value lookup_path(Interpreter& interp, const Value& item, std::string_view path);

}  // namespace hearth::jinja
