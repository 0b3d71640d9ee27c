// Expression evaluation and jinja2's lookup rules: obj.name tries an attribute (a str/dict
// method) before an item; obj[key] tries an item before an attribute; misses are undefined.
#include <algorithm>

#include "core/chat/jinja_builtins.h"
#include "core/chat/jinja_filters.h"
#include "core/chat/jinja_interpreter.h"
#include "core/chat/jinja_operators.h"
#include "core/chat/jinja_strings.h"

namespace hearth::jinja {

namespace {

Value no_attribute(const Value& obj, std::string_view name) {
    return Value::undefined(std::string("'") + type_name(obj) + " object' has no attribute '" + std::string(name) + "'");
}

// Python's slice.indices(): clamps start/stop for a sequence of length n.
std::vector<std::size_t> slice_positions(std::int64_t n, const Value& start_v, const Value& stop_v,
                                         const Value& step_v) {
    auto read = [](const Value& v, std::int64_t fallback) {
        if (v.is_none()) return fallback;
        if (!v.is_integral()) throw TemplateError("slice indices must be integers or None");
        return v.as_int();
    };
    const std::int64_t step = read(step_v, 1);
    if (step == 0) throw TemplateError("slice step cannot be zero");
    const std::int64_t lower = step < 0 ? -1 : 0;
    const std::int64_t upper = step < 0 ? n - 1 : n;
    auto clamp = [&](std::int64_t i) {
        if (i < 0) i = std::max(i + n, lower);
        return std::min(i, upper);
    };
    const std::int64_t start = start_v.is_none() ? (step < 0 ? upper : lower) : clamp(read(start_v, 0));
    const std::int64_t stop = stop_v.is_none() ? (step < 0 ? lower : upper) : clamp(read(stop_v, 0));
    std::vector<std::size_t> positions;
    for (std::int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
        positions.push_back(static_cast<std::size_t>(i));
    }
    return positions;
}

}  // namespace

Value Interpreter::eval(const Expr& e, Scope& scope) {
    const DepthGuard guard(*this);
    switch (e.kind) {
        case ExprKind::literal: return e.literal;
        case ExprKind::name: {
            if (const Value* v = scope.lookup(e.name)) return *v;
            return Value::undefined("'" + e.name + "' is undefined");
        }
        case ExprKind::list:
        case ExprKind::tuple:
        case ExprKind::dict: return eval_collection(e, scope);
        case ExprKind::attribute: return get_attribute(eval(*e.children[0], scope), e.name);
        case ExprKind::item: {
            const Value obj = eval(*e.children[0], scope);
            return get_item(obj, eval(*e.children[1], scope));
        }
        case ExprKind::slice: return eval_slice(e, scope);
        case ExprKind::call: return eval_call(e, scope);
        case ExprKind::filter: return eval_filter(e, scope);
        case ExprKind::test: return eval_test(e, scope);
        case ExprKind::negate: return negate(eval(*e.children[0], scope));
        case ExprKind::plus: return unary_plus(eval(*e.children[0], scope));
        case ExprKind::logical_not: return Value::boolean(!truthy(eval(*e.children[0], scope)));
        case ExprKind::binary: {
            const Value left = eval(*e.children[0], scope);
            return binary_op(*this, e.name, left, eval(*e.children[1], scope));
        }
        case ExprKind::logical_and: {
            Value left = eval(*e.children[0], scope);
            return truthy(left) ? eval(*e.children[1], scope) : left;
        }
        case ExprKind::logical_or: {
            Value left = eval(*e.children[0], scope);
            return truthy(left) ? left : eval(*e.children[1], scope);
        }
        case ExprKind::compare: return eval_compare(e, scope);
        case ExprKind::conditional:
            if (truthy(eval(*e.children[1], scope))) return eval(*e.children[0], scope);
            if (e.children[2]) return eval(*e.children[2], scope);
            return Value::undefined("the inline if-expression evaluated to false and has no else section");
        case ExprKind::splat: throw TemplateError("* and ** are only allowed among call arguments");
    }
    return Value();
}

Value Interpreter::eval_collection(const Expr& e, Scope& scope) {
    check_list_size(e.children.size());
    if (e.kind == ExprKind::dict) {
        std::vector<std::pair<std::string, Value>> entries;
        for (std::size_t i = 0; i + 1 < e.children.size(); i += 2) {
            Value key = eval(*e.children[i], scope);
            if (!key.is_string()) throw TemplateError("dict keys must be strings");
            entries.emplace_back(key.as_string(), eval(*e.children[i + 1], scope));
        }
        return Value::dict(std::move(entries));
    }
    std::vector<Value> items;
    items.reserve(e.children.size());
    for (const ExprPtr& child : e.children) items.push_back(eval(*child, scope));
    return e.kind == ExprKind::tuple ? Value::tuple(std::move(items)) : Value::list(std::move(items));
}

Value Interpreter::eval_slice(const Expr& e, Scope& scope) {
    const Value obj = eval(*e.children[0], scope);
    if (obj.is_undefined()) fail_undefined(obj);
    auto bound = [&](std::size_t i) { return e.children[i] ? eval(*e.children[i], scope) : Value::none(); };
    const Value start = bound(1);
    const Value stop = bound(2);
    const Value step = bound(3);
    if (obj.is_string()) {
        const std::u32string cps = text::decode(obj.as_string());
        std::u32string out;
        for (std::size_t i : slice_positions(static_cast<std::int64_t>(cps.size()), start, stop, step)) {
            out.push_back(cps[i]);
        }
        return Value::string(text::encode(out));
    }
    if (obj.is(Value::Kind::list)) {
        const List& l = obj.as_list();
        std::vector<Value> items;
        for (std::size_t i : slice_positions(static_cast<std::int64_t>(l.items.size()), start, stop, step)) {
            items.push_back(l.items[i]);
        }
        return l.is_tuple ? Value::tuple(std::move(items)) : Value::list(std::move(items));
    }
    // jinja2 compiles slices to a plain Python subscript: no lenient fallback to undefined.
    throw TemplateError(std::string("'") + type_name(obj) + "' object is not subscriptable");
}

// Arguments of a call, with *list and **dict expanded.
CallArgs Interpreter::eval_args(const Expr& e, std::size_t first_arg, Scope& scope) {
    CallArgs args;
    for (std::size_t i = first_arg; i < e.children.size(); ++i) {
        const Expr& arg = *e.children[i];
        if (arg.kind != ExprKind::splat) {
            args.positional.push_back(eval(arg, scope));
            continue;
        }
        const Value list = eval(*arg.children[0], scope);
        if (!list.is(Value::Kind::list)) throw TemplateError("argument after * must be a list, not '" + type_name(list) + "'");
        args.positional.insert(args.positional.end(), list.as_list().items.begin(), list.as_list().items.end());
    }
    for (const auto& [key, expr] : e.keywords) {
        if (!key.empty()) {
            args.keyword.emplace_back(key, eval(*expr, scope));
            continue;
        }
        const Value dict = eval(*expr->children[0], scope);
        if (!dict.is(Value::Kind::dict)) throw TemplateError("argument after ** must be a dict, not '" + type_name(dict) + "'");
        for (const auto& entry : dict.as_dict().entries) args.keyword.push_back(entry);
    }
    return args;
}

Value Interpreter::eval_call(const Expr& e, Scope& scope) {
    const Value callee = eval(*e.children[0], scope);
    return call(callee, eval_args(e, 1, scope));
}

Value Interpreter::eval_filter(const Expr& e, Scope& scope) {
    const Value subject = eval(*e.children[0], scope);
    return apply_filter(e.name, subject, eval_args(e, 1, scope));
}

Value Interpreter::eval_test(const Expr& e, Scope& scope) {
    const Value subject = eval(*e.children[0], scope);
    return Value::boolean(apply_test(e.name, subject, eval_args(e, 1, scope)) != e.negated);
}

Value Interpreter::eval_compare(const Expr& e, Scope& scope) {
    Value left = eval(*e.children[0], scope);
    for (std::size_t i = 0; i < e.ops.size(); ++i) {
        Value right = eval(*e.children[i + 1], scope);
        if (!compare_op(e.ops[i], left, right)) return Value::boolean(false);
        left = std::move(right);
    }
    return Value::boolean(true);
}

Value Interpreter::call(const Value& callee, CallArgs args) {
    if (callee.is_undefined()) fail_undefined(callee);
    if (!callee.is(Value::Kind::callable)) throw TemplateError("'" + type_name(callee) + "' object is not callable");
    return callee.as_callable().call(*this, std::move(args));
}

Value Interpreter::apply_filter(std::string_view name, const Value& subject, CallArgs args) {
    return apply_builtin_filter(*this, name, subject, std::move(args));
}

bool Interpreter::apply_test(std::string_view name, const Value& subject, CallArgs args) {
    return apply_builtin_test(*this, name, subject, std::move(args));
}

Value Interpreter::get_attribute(const Value& obj, std::string_view name) {
    switch (obj.kind()) {
        case Value::Kind::undefined: fail_undefined(obj);
        case Value::Kind::dict: {
            if (auto method = bound_method(obj, name)) return *method;
            if (const Value* v = obj.as_dict().find(name)) return *v;
            return no_attribute(obj, name);
        }
        case Value::Kind::ns: {
            if (const Value* v = obj.ns_ptr()->find(name)) return *v;
            return no_attribute(obj, name);
        }
        default:
            if (auto method = bound_method(obj, name)) return *method;
            return no_attribute(obj, name);
    }
}

Value Interpreter::get_item(const Value& obj, const Value& key) {
    if (obj.is_undefined()) fail_undefined(obj);
    if (key.is_string()) {
        if (obj.is(Value::Kind::dict)) {
            if (const Value* v = obj.as_dict().find(key.as_string())) return *v;
        }
        return get_attribute(obj, key.as_string());
    }
    if (key.is_integral() && (obj.is_string() || obj.is(Value::Kind::list))) {
        std::int64_t index = key.as_int();
        if (obj.is_string()) {
            const std::u32string cps = text::decode(obj.as_string());
            const auto n = static_cast<std::int64_t>(cps.size());
            if (index < 0) index += n;
            if (index < 0 || index >= n) return Value::undefined("string index out of range");
            return Value::string(text::encode(cps.substr(static_cast<std::size_t>(index), 1)));
        }
        const auto& items = obj.as_list().items;
        const auto n = static_cast<std::int64_t>(items.size());
        if (index < 0) index += n;
        if (index < 0 || index >= n) return Value::undefined("list object has no element " + std::to_string(key.as_int()));
        return items[static_cast<std::size_t>(index)];
    }
    return Value::undefined(std::string("'") + type_name(obj) + " object' has no item " + to_repr(key));
}

std::vector<Value> Interpreter::iterate(const Value& v) {
    switch (v.kind()) {
        case Value::Kind::undefined: return {};
        case Value::Kind::list: return v.as_list().items;
        case Value::Kind::dict: {
            std::vector<Value> keys;
            for (const auto& entry : v.as_dict().entries) keys.push_back(Value::string(entry.first));
            return keys;
        }
        case Value::Kind::string: {
            std::vector<Value> chars;
            for (char32_t c : text::decode(v.as_string())) chars.push_back(Value::string(text::encode(std::u32string(1, c))));
            return chars;
        }
        default: throw TemplateError("'" + type_name(v) + "' object is not iterable");
    }
}

}  // namespace hearth::jinja
