// jinja2's tests (`x is defined`, `x is string`, ...), with Python's notion of types:
// strings are iterable sequences, bools are numbers, undefined is iterable but not a mapping.
#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include "core/chat/jinja_filters.h"
#include "core/chat/jinja_interpreter.h"
#include "core/chat/jinja_operators.h"
#include "core/chat/jinja_strings.h"

namespace hearth::jinja {

namespace {

using Kind = Value::Kind;

// Every test takes the subject and at most one operand (Value() when the test takes none).
using TestFn = bool (*)(const Value& subject, const Value& operand);

std::int64_t integer_of(const Value& v) {
    if (v.is_undefined()) fail_undefined(v);
    if (!v.is_integral()) throw TemplateError("test needs an integer, not '" + type_name(v) + "'");
    return v.as_int();
}

bool t_defined(const Value& v, const Value&) { return !v.is_undefined(); }
bool t_undefined(const Value& v, const Value&) { return v.is_undefined(); }
bool t_none(const Value& v, const Value&) { return v.is_none(); }
bool t_boolean(const Value& v, const Value&) { return v.is(Kind::boolean); }
bool t_true(const Value& v, const Value&) { return v.is(Kind::boolean) && v.as_bool(); }
bool t_false(const Value& v, const Value&) { return v.is(Kind::boolean) && !v.as_bool(); }
bool t_integer(const Value& v, const Value&) { return v.is(Kind::integer); }
bool t_float(const Value& v, const Value&) { return v.is(Kind::floating); }
bool t_number(const Value& v, const Value&) { return v.is_number(); }
bool t_string(const Value& v, const Value&) { return v.is_string(); }
bool t_mapping(const Value& v, const Value&) { return v.is(Kind::dict); }
bool t_callable(const Value& v, const Value&) { return v.is(Kind::callable) || v.is_undefined(); }
bool t_iterable(const Value& v, const Value&) {
    return v.is_undefined() || v.is_string() || v.is(Kind::list) || v.is(Kind::dict);
}
// value % 2 == 1 (odd) or == 0 (even), with Python's float modulo for floats.
double remainder_of_half(const Value& v) {
    if (v.is(Kind::floating)) {
        const double r = std::fmod(v.as_double(), 2.0);
        return r < 0 ? r + 2.0 : r;
    }
    const std::int64_t r = integer_of(v) % 2;
    return static_cast<double>(r < 0 ? r + 2 : r);
}

bool t_odd(const Value& v, const Value&) { return remainder_of_half(v) == 1.0; }
bool t_even(const Value& v, const Value&) { return remainder_of_half(v) == 0.0; }
bool t_escaped(const Value&, const Value&) { return false; }

bool t_divisibleby(const Value& v, const Value& d) {
    const std::int64_t divisor = integer_of(d);
    if (divisor == 0) throw TemplateError("integer division or modulo by zero");
    return divisor == -1 || integer_of(v) % divisor == 0;
}

bool t_lower(const Value& v, const Value&) {
    const std::string s = to_str(v);
    return text::lower(s) == s && text::upper(s) != s;
}

bool t_upper(const Value& v, const Value&) {
    const std::string s = to_str(v);
    return text::upper(s) == s && text::lower(s) != s;
}

// `is sameas`: identity. Singletons (None, True, False) and shared containers compare equal.
bool t_sameas(const Value& v, const Value& other) {
    if (v.kind() != other.kind()) return false;
    switch (v.kind()) {
        case Kind::none: return true;
        case Kind::boolean: return v.as_bool() == other.as_bool();
        case Kind::list: return v.list_ptr() == other.list_ptr();
        case Kind::dict: return v.dict_ptr() == other.dict_ptr();
        case Kind::ns: return v.ns_ptr() == other.ns_ptr();
        default: return false;
    }
}

bool t_in(const Value& v, const Value& seq) { return contains(seq, v); }
bool t_eq(const Value& v, const Value& o) { return compare_op("==", v, o); }
bool t_ne(const Value& v, const Value& o) { return compare_op("!=", v, o); }
bool t_lt(const Value& v, const Value& o) { return compare_op("<", v, o); }
bool t_le(const Value& v, const Value& o) { return compare_op("<=", v, o); }
bool t_gt(const Value& v, const Value& o) { return compare_op(">", v, o); }
bool t_ge(const Value& v, const Value& o) { return compare_op(">=", v, o); }

struct TestEntry {
    std::string_view name;
    bool takes_operand;
    TestFn fn;
};

constexpr std::array<TestEntry, 37> kTests = {{
    {"defined", false, t_defined},     {"undefined", false, t_undefined}, {"none", false, t_none},
    {"boolean", false, t_boolean},     {"true", false, t_true},           {"false", false, t_false},
    {"integer", false, t_integer},     {"float", false, t_float},         {"number", false, t_number},
    {"string", false, t_string},       {"mapping", false, t_mapping},     {"iterable", false, t_iterable},
    {"sequence", false, t_iterable},   {"callable", false, t_callable},   {"odd", false, t_odd},
    {"even", false, t_even},           {"escaped", false, t_escaped},     {"lower", false, t_lower},
    {"upper", false, t_upper},         {"divisibleby", true, t_divisibleby}, {"sameas", true, t_sameas},
    {"in", true, t_in},                {"eq", true, t_eq},                {"equalto", true, t_eq},
    {"==", true, t_eq},                {"ne", true, t_ne},                {"!=", true, t_ne},
    {"lt", true, t_lt},                {"lessthan", true, t_lt},          {"<", true, t_lt},
    {"le", true, t_le},                {"<=", true, t_le},                {"gt", true, t_gt},
    {"greaterthan", true, t_gt},       {">", true, t_gt},                 {"ge", true, t_ge},
    {">=", true, t_ge},
}};

}  // namespace

bool is_jinja_test(std::string_view name) {
    // "filter" and "test" (does a filter/test of that name exist?) are jinja2's only tests left out.
    return name == "filter" || name == "test" ||
           std::any_of(kTests.begin(), kTests.end(), [&](const TestEntry& t) { return t.name == name; });
}

bool apply_builtin_test(Interpreter&, std::string_view name, const Value& subject, CallArgs args) {
    for (const TestEntry& test : kTests) {
        if (test.name != name) continue;
        const std::size_t wanted = test.takes_operand ? 1 : 0;
        if (args.positional.size() != wanted || !args.keyword.empty()) {
            throw TemplateError("test '" + std::string(name) + "' takes " + std::to_string(wanted) + " argument(s)");
        }
        return test.fn(subject, test.takes_operand ? args.positional[0] : Value());
    }
    throw TemplateError("no test named '" + std::string(name) + "'");
}

}  // namespace hearth::jinja
