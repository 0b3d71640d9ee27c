#pragma once
// Python's operators on template values: arithmetic, ~ concatenation, comparisons and `in`.
// Type mismatches raise TemplateError as Python raises TypeError.
#include <string_view>

#include "core/chat/jinja_value.h"

namespace hearth::jinja {

class Interpreter;

// op is one of + - * / // % ** ~ ; results that grow (strings, lists) are checked against budgets.
Value binary_op(Interpreter& interp, std::string_view op, const Value& a, const Value& b);
Value negate(const Value& v);
Value unary_plus(const Value& v);

// op is one of == != < <= > >= in, "not in".
bool compare_op(std::string_view op, const Value& a, const Value& b);
bool contains(const Value& container, const Value& item);

// Python ordering: <0, 0 or >0; throws for types that do not order (e.g. int < str).
int order(const Value& a, const Value& b);

}  // namespace hearth::jinja
