#include "core/chat/jinja_value.h"

#include <algorithm>

#include "core/chat/jinja_callable.h"
#include "core/chat/jinja_strings.h"

namespace hearth::jinja {

namespace {

// Printing and comparing recurse through containers; namespaces can form cycles, so
// the recursion is bounded here rather than by the containers' tracked depth.
constexpr int kMaxWalkDepth = 2 * kMaxValueDepth;

void check_walk_depth(int depth) {
    if (depth > kMaxWalkDepth) throw TemplateError("value nested too deeply (or self-referencing)");
}

int depth_of_items(const std::vector<Value>& items) {
    int deepest = 0;
    for (const Value& v : items) deepest = std::max(deepest, value_depth(v));
    return deepest + 1;
}

void check_depth(int depth) {
    if (depth > kMaxValueDepth) {
        throw TemplateError("lists and dicts nested more than " + std::to_string(kMaxValueDepth) +
                            " deep");
    }
}

std::string repr_at(const Value& v, int depth);

std::string repr_items(const std::vector<Value>& items, int depth) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += ", ";
        out += repr_at(items[i], depth + 1);
    }
    return out;
}

std::string repr_entries(const std::vector<std::pair<std::string, Value>>& entries, int depth) {
    std::string out = "{";
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (i) out += ", ";
        out += text::repr(entries[i].first) + ": " + repr_at(entries[i].second, depth + 1);
    }
    return out + "}";
}

std::string repr_at(const Value& v, int depth) {
    check_walk_depth(depth);
    switch (v.kind()) {
        case Value::Kind::undefined: return "Undefined";
        case Value::Kind::string: return text::repr(v.as_string());
        case Value::Kind::list: {
            const List& l = v.as_list();
            std::string out(l.is_tuple ? "(" : "[");
            out += repr_items(l.items, depth);
            out += !l.is_tuple ? "]" : l.items.size() == 1 ? ",)" : ")";
            return out;
        }
        case Value::Kind::dict: return repr_entries(v.as_dict().entries, depth);
        case Value::Kind::ns: return std::string("<Namespace ").append(repr_entries(v.ns_ptr()->attrs, depth)).append(">");
        default: return to_str(v);
    }
}

bool equal_at(const Value& a, const Value& b, int depth) {
    check_walk_depth(depth);
    if (a.is_number() && b.is_number()) {
        if (a.is_integral() && b.is_integral()) return a.as_int() == b.as_int();
        return a.as_double() == b.as_double();
    }
    if (a.kind() != b.kind()) return false;
    switch (a.kind()) {
        case Value::Kind::undefined:
        case Value::Kind::none: return true;
        case Value::Kind::string: return a.as_string() == b.as_string();
        case Value::Kind::list: {
            const auto& x = a.as_list().items;
            const auto& y = b.as_list().items;
            if (a.as_list().is_tuple != b.as_list().is_tuple || x.size() != y.size()) return false;
            for (std::size_t i = 0; i < x.size(); ++i) {
                if (!equal_at(x[i], y[i], depth + 1)) return false;
            }
            return true;
        }
        case Value::Kind::dict: {
            const Dict& x = a.as_dict();
            const Dict& y = b.as_dict();
            if (x.entries.size() != y.entries.size()) return false;
            for (const auto& [key, value] : x.entries) {
                const Value* other = y.find(key);
                if (!other || !equal_at(value, *other, depth + 1)) return false;
            }
            return true;
        }
        case Value::Kind::ns: return a.ns_ptr() == b.ns_ptr();
        case Value::Kind::callable: return &a.as_callable() == &b.as_callable();
        default: return false;
    }
}

}  // namespace

const Value* Dict::find(std::string_view key) const {
    for (const auto& [k, v] : entries) {
        if (k == key) return &v;
    }
    return nullptr;
}

const Value* Namespace::find(std::string_view key) const {
    for (const auto& [k, v] : attrs) {
        if (k == key) return &v;
    }
    return nullptr;
}

void Namespace::set(std::string_view key, Value value) {
    for (auto& [k, v] : attrs) {
        if (k == key) {
            v = std::move(value);
            return;
        }
    }
    attrs.emplace_back(std::string(key), std::move(value));
}

Value Value::undefined(std::string hint) { return Value(Data(Undefined{std::move(hint)})); }
Value Value::none() { return Value(Data(None{})); }
Value Value::boolean(bool b) { return Value(Data(b)); }
Value Value::integer(std::int64_t i) { return Value(Data(i)); }
Value Value::floating(double d) { return Value(Data(d)); }
Value Value::string(std::string s) { return Value(Data(std::move(s))); }

Value Value::list(std::vector<Value> items) {
    auto l = std::make_shared<List>();
    l->depth = depth_of_items(items);
    check_depth(l->depth);
    l->items = std::move(items);
    return from(ListPtr(std::move(l)));
}

Value Value::tuple(std::vector<Value> items) {
    auto l = std::make_shared<List>();
    l->depth = depth_of_items(items);
    check_depth(l->depth);
    l->items = std::move(items);
    l->is_tuple = true;
    return from(ListPtr(std::move(l)));
}

Value Value::dict(std::vector<std::pair<std::string, Value>> entries) {
    auto d = std::make_shared<Dict>();
    int deepest = 0;
    for (const auto& entry : entries) deepest = std::max(deepest, value_depth(entry.second));
    d->depth = deepest + 1;
    check_depth(d->depth);
    // Later keys win, as in a Python dict literal, but keep the first key's position.
    for (auto& [key, value] : entries) {
        auto it = std::find_if(d->entries.begin(), d->entries.end(),
                               [&](const auto& e) { return e.first == key; });
        if (it != d->entries.end()) {
            it->second = std::move(value);
        } else {
            d->entries.emplace_back(std::move(key), std::move(value));
        }
    }
    return from(DictPtr(std::move(d)));
}

Value Value::from(ListPtr list) { return Value(Data(std::move(list))); }
Value Value::from(DictPtr dict) { return Value(Data(std::move(dict))); }
Value Value::from(NamespacePtr ns) { return Value(Data(std::move(ns))); }
Value Value::from(CallablePtr callable) { return Value(Data(std::move(callable))); }

bool Value::is_number() const {
    return is(Kind::boolean) || is(Kind::integer) || is(Kind::floating);
}

std::int64_t Value::as_int() const {
    if (is(Kind::boolean)) return as_bool() ? 1 : 0;
    return std::get<std::int64_t>(data_);
}

double Value::as_double() const {
    if (is(Kind::floating)) return std::get<double>(data_);
    return static_cast<double>(as_int());
}

int value_depth(const Value& v) {
    switch (v.kind()) {
        case Value::Kind::list: return v.as_list().depth;
        case Value::Kind::dict: return v.as_dict().depth;
        default: return 0;
    }
}

bool truthy(const Value& v) {
    switch (v.kind()) {
        case Value::Kind::undefined:
        case Value::Kind::none: return false;
        case Value::Kind::boolean: return v.as_bool();
        case Value::Kind::integer: return v.as_int() != 0;
        case Value::Kind::floating: return v.as_double() != 0.0;
        case Value::Kind::string: return !v.as_string().empty();
        case Value::Kind::list: return !v.as_list().items.empty();
        case Value::Kind::dict: return !v.as_dict().entries.empty();
        case Value::Kind::ns:
        case Value::Kind::callable: return true;
    }
    return false;
}

bool values_equal(const Value& a, const Value& b) { return equal_at(a, b, 0); }

std::string to_str(const Value& v) {
    switch (v.kind()) {
        case Value::Kind::undefined: return "";
        case Value::Kind::none: return "None";
        case Value::Kind::boolean: return v.as_bool() ? "True" : "False";
        case Value::Kind::integer: return std::to_string(v.as_int());
        case Value::Kind::floating: return text::format_float(v.as_double());
        case Value::Kind::string: return v.as_string();
        case Value::Kind::callable: return v.as_callable().repr();
        default: return repr_at(v, 0);
    }
}

std::string to_repr(const Value& v) { return repr_at(v, 0); }

std::string type_name(const Value& v) {
    switch (v.kind()) {
        case Value::Kind::undefined: return "Undefined";
        case Value::Kind::none: return "NoneType";
        case Value::Kind::boolean: return "bool";
        case Value::Kind::integer: return "int";
        case Value::Kind::floating: return "float";
        case Value::Kind::string: return "str";
        case Value::Kind::list: return v.as_list().is_tuple ? "tuple" : "list";
        case Value::Kind::dict: return "dict";
        case Value::Kind::ns: return "Namespace";
        case Value::Kind::callable: return "function";
    }
    return "object";
}

void fail_undefined(const Value& v) {
    const std::string& hint = v.undefined_hint();
    throw TemplateError(hint.empty() ? "undefined value used" : hint);
}

}  // namespace hearth::jinja
