#include "core/chat/jinja_operators.h"

#include <cmath>
#include <cstdint>
#include <limits>

#include "core/chat/jinja_interpreter.h"

namespace hearth::jinja {

namespace {

[[noreturn]] void unsupported(std::string_view op, const Value& a, const Value& b) {
    throw TemplateError("unsupported operand type(s) for " + std::string(op) + ": '" + type_name(a) +
                        "' and '" + type_name(b) + "'");
}

[[noreturn]] void overflow() { throw TemplateError("integer overflow"); }

std::int64_t add_int(std::int64_t a, std::int64_t b) {
    std::int64_t r = 0;
    if (__builtin_add_overflow(a, b, &r)) overflow();
    return r;
}

std::int64_t sub_int(std::int64_t a, std::int64_t b) {
    std::int64_t r = 0;
    if (__builtin_sub_overflow(a, b, &r)) overflow();
    return r;
}

std::int64_t mul_int(std::int64_t a, std::int64_t b) {
    std::int64_t r = 0;
    if (__builtin_mul_overflow(a, b, &r)) overflow();
    return r;
}

std::int64_t int_pow(std::int64_t base, std::int64_t exp) {
    std::int64_t result = 1;
    while (exp > 0) {
        if (exp & 1) result = mul_int(result, base);
        exp >>= 1;
        if (exp > 0) base = mul_int(base, base);
    }
    return result;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    if (a == std::numeric_limits<std::int64_t>::min() && b == -1) overflow();
    std::int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
}

std::int64_t floor_mod(std::int64_t a, std::int64_t b) {
    if (b == -1) return 0;
    std::int64_t r = a % b;
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
}

double float_mod(double a, double b) {
    double r = std::fmod(a, b);
    if (r == 0) return std::copysign(0.0, b);  // Python gives a zero the divisor's sign
    if ((r < 0) != (b < 0)) r += b;
    return r;
}

double float_pow(double x, double y) {
    if (x == 0 && y < 0) throw TemplateError("0.0 cannot be raised to a negative power");
    if (x < 0 && std::isfinite(y) && y != std::floor(y)) throw TemplateError("complex results are not supported");
    const double r = std::pow(x, y);
    if (std::isinf(r) && std::isfinite(x) && std::isfinite(y)) throw TemplateError("numerical result out of range");
    return r;
}

std::size_t saturating_product(std::size_t a, std::int64_t b) {
    std::size_t total = 0;
    if (__builtin_mul_overflow(a, static_cast<std::size_t>(b), &total)) return SIZE_MAX;
    return total;
}

Value repeat(Interpreter& interp, const Value& seq, std::int64_t times) {
    const std::int64_t n = times < 0 ? 0 : times;
    if (seq.is_string()) {
        const std::string& s = seq.as_string();
        interp.check_string_size(saturating_product(s.size(), n));
        std::string out;
        for (std::int64_t i = 0; i < n && !s.empty(); ++i) out += s;
        return Value::string(std::move(out));
    }
    const List& l = seq.as_list();
    interp.check_list_size(saturating_product(l.items.size(), n));
    std::vector<Value> items;
    for (std::int64_t i = 0; i < n && !l.items.empty(); ++i) items.insert(items.end(), l.items.begin(), l.items.end());
    return l.is_tuple ? Value::tuple(std::move(items)) : Value::list(std::move(items));
}

Value add(Interpreter& interp, const Value& a, const Value& b) {
    if (a.is_number() && b.is_number()) {
        if (a.is_integral() && b.is_integral()) {
            return Value::integer(add_int(a.as_int(), b.as_int()));
        }
        return Value::floating(a.as_double() + b.as_double());
    }
    if (a.is_string() && b.is_string()) {
        interp.check_string_size(a.as_string().size() + b.as_string().size());
        return Value::string(a.as_string() + b.as_string());
    }
    if (a.is(Value::Kind::list) && b.is(Value::Kind::list) && a.as_list().is_tuple == b.as_list().is_tuple) {
        interp.check_list_size(a.as_list().items.size() + b.as_list().items.size());
        std::vector<Value> items = a.as_list().items;
        items.insert(items.end(), b.as_list().items.begin(), b.as_list().items.end());
        return a.as_list().is_tuple ? Value::tuple(std::move(items)) : Value::list(std::move(items));
    }
    unsupported("+", a, b);
}

Value arithmetic(std::string_view op, const Value& a, const Value& b) {
    if (!a.is_number() || !b.is_number()) unsupported(op, a, b);
    const bool ints = a.is_integral() && b.is_integral();
    if (op == "/") {
        if (b.as_double() == 0) throw TemplateError("division by zero");
        return Value::floating(a.as_double() / b.as_double());
    }
    if ((op == "//" || op == "%") && (ints ? b.as_int() == 0 : b.as_double() == 0)) {
        throw TemplateError("integer division or modulo by zero");
    }
    if (ints) {
        const std::int64_t x = a.as_int();
        const std::int64_t y = b.as_int();
        if (op == "-") return Value::integer(sub_int(x, y));
        if (op == "*") return Value::integer(mul_int(x, y));
        if (op == "//") return Value::integer(floor_div(x, y));
        if (op == "%") return Value::integer(floor_mod(x, y));
        if (y >= 0) return Value::integer(int_pow(x, y));
        return Value::floating(float_pow(static_cast<double>(x), static_cast<double>(y)));
    }
    const double x = a.as_double();
    const double y = b.as_double();
    if (op == "-") return Value::floating(x - y);
    if (op == "*") return Value::floating(x * y);
    if (op == "//") return Value::floating(std::floor(x / y));
    if (op == "%") return Value::floating(float_mod(x, y));
    return Value::floating(float_pow(x, y));
}

int order_lists(const List& a, const List& b) {
    const std::size_t n = std::min(a.items.size(), b.items.size());
    for (std::size_t i = 0; i < n; ++i) {
        if (!values_equal(a.items[i], b.items[i])) return order(a.items[i], b.items[i]);
    }
    return a.items.size() < b.items.size() ? -1 : a.items.size() > b.items.size() ? 1 : 0;
}

}  // namespace

Value binary_op(Interpreter& interp, std::string_view op, const Value& a, const Value& b) {
    if (op == "~") {
        std::string s = to_str(a);
        std::string t = to_str(b);
        interp.check_string_size(s.size() + t.size());
        return Value::string(s + t);
    }
    if (a.is_undefined()) fail_undefined(a);
    if (b.is_undefined()) fail_undefined(b);
    if (op == "+") return add(interp, a, b);
    if (op == "*") {
        if ((a.is_string() || a.is(Value::Kind::list)) && b.is_integral()) return repeat(interp, a, b.as_int());
        if ((b.is_string() || b.is(Value::Kind::list)) && a.is_integral()) return repeat(interp, b, a.as_int());
    }
    if (op == "%" && a.is_string()) throw TemplateError("printf-style string formatting is not supported");
    return arithmetic(op, a, b);
}

Value negate(const Value& v) {
    if (v.is_undefined()) fail_undefined(v);
    if (v.is_integral()) {
        if (v.as_int() == std::numeric_limits<std::int64_t>::min()) overflow();
        return Value::integer(-v.as_int());
    }
    if (v.is(Value::Kind::floating)) return Value::floating(-v.as_double());
    throw TemplateError("bad operand type for unary -: '" + type_name(v) + "'");
}

Value unary_plus(const Value& v) {
    if (v.is_undefined()) fail_undefined(v);
    if (v.is_integral()) return Value::integer(v.as_int());
    if (v.is(Value::Kind::floating)) return v;
    throw TemplateError("bad operand type for unary +: '" + type_name(v) + "'");
}

int order(const Value& a, const Value& b) {
    if (a.is_undefined()) fail_undefined(a);
    if (b.is_undefined()) fail_undefined(b);
    if (a.is_number() && b.is_number()) {
        if (a.is_integral() && b.is_integral()) return a.as_int() < b.as_int() ? -1 : a.as_int() > b.as_int() ? 1 : 0;
        return a.as_double() < b.as_double() ? -1 : a.as_double() > b.as_double() ? 1 : 0;
    }
    if (a.is_string() && b.is_string()) {
        const int c = a.as_string().compare(b.as_string());
        return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    if (a.is(Value::Kind::list) && b.is(Value::Kind::list) && a.as_list().is_tuple == b.as_list().is_tuple) {
        return order_lists(a.as_list(), b.as_list());
    }
    throw TemplateError("'<' not supported between instances of '" + type_name(a) + "' and '" + type_name(b) + "'");
}

bool contains(const Value& container, const Value& item) {
    switch (container.kind()) {
        case Value::Kind::undefined: return false;
        case Value::Kind::string:
            if (!item.is_string()) throw TemplateError("'in <string>' requires string as left operand");
            return container.as_string().find(item.as_string()) != std::string::npos;
        case Value::Kind::list:
            for (const Value& v : container.as_list().items) {
                if (values_equal(v, item)) return true;
            }
            return false;
        case Value::Kind::dict:
            if (item.is(Value::Kind::dict) || item.is(Value::Kind::ns) || (item.is(Value::Kind::list) && !item.as_list().is_tuple)) {
                throw TemplateError("unhashable type: '" + type_name(item) + "'");
            }
            return item.is_string() && container.as_dict().find(item.as_string()) != nullptr;
        default: throw TemplateError("argument of type '" + type_name(container) + "' is not iterable");
    }
}

bool compare_op(std::string_view op, const Value& a, const Value& b) {
    if (op == "==") return values_equal(a, b);
    if (op == "!=") return !values_equal(a, b);
    if (op == "in") return contains(b, a);
    if (op == "not in") return !contains(b, a);
    const int c = order(a, b);
    if (op == "<") return c < 0;
    if (op == "<=") return c <= 0;
    if (op == ">") return c > 0;
    return c >= 0;
}

}  // namespace hearth::jinja
