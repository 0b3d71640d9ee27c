#include "core/chat/jinja_builtins.h"

#include <algorithm>
#include <array>
#include <ctime>

#include "core/chat/jinja_callable.h"
#include "core/chat/jinja_interpreter.h"
#include "core/chat/jinja_strings.h"
#include "core/error.h"

namespace hearth::jinja {

namespace {

using BuiltinFn = Value (*)(Interpreter&, CallArgs&);

class BuiltinFunction : public Callable {
public:
    BuiltinFunction(std::string name, BuiltinFn fn) : name_(std::move(name)), fn_(fn) {}
    Value call(Interpreter& interp, CallArgs args) const override { return fn_(interp, args); }
    std::string repr() const override { return "<built-in function " + name_ + ">"; }

private:
    std::string name_;
    BuiltinFn fn_;
};

std::int64_t int_arg(const Value& v, std::string_view what) {
    if (!v.is_integral()) throw TemplateError(std::string(what) + " must be an integer, not '" + type_name(v) + "'");
    return v.as_int();
}

const std::string& str_arg(const Value& v, std::string_view what) {
    if (!v.is_string()) throw TemplateError(std::string(what) + " must be a str, not '" + type_name(v) + "'");
    return v.as_string();
}

Value builtin_range(Interpreter& interp, CallArgs& args) {
    const auto& p = args.positional;
    if (p.empty() || p.size() > 3 || !args.keyword.empty()) throw TemplateError("range() takes 1 to 3 arguments");
    const std::int64_t start = p.size() == 1 ? 0 : int_arg(p[0], "range() argument");
    const std::int64_t stop = int_arg(p.size() == 1 ? p[0] : p[1], "range() argument");
    const std::int64_t step = p.size() == 3 ? int_arg(p[2], "range() argument") : 1;
    if (step == 0) throw TemplateError("range() arg 3 must not be zero");
    const double span = (static_cast<double>(stop) - static_cast<double>(start)) / static_cast<double>(step);
    if (span > static_cast<double>(kMaxRange)) throw TemplateError("range too big, the sandbox allows " + std::to_string(kMaxRange));
    std::vector<Value> items;
    for (std::int64_t i = start; step > 0 ? i < stop : i > stop; i += step) items.push_back(Value::integer(i));
    interp.check_list_size(items.size());
    return Value::list(std::move(items));
}

// Keyword arguments, after an optional positional dict, as namespace() and dict() take them.
std::vector<std::pair<std::string, Value>> collect_entries(std::string_view fn, CallArgs& args) {
    std::vector<std::pair<std::string, Value>> entries;
    if (args.positional.size() > 1) throw TemplateError(std::string(fn) + "() takes at most one positional argument");
    if (!args.positional.empty()) {
        const Value& init = args.positional[0];
        if (!init.is(Value::Kind::dict)) throw TemplateError(std::string(fn) + "() positional argument must be a dict");
        entries = init.as_dict().entries;
    }
    for (auto& kw : args.keyword) entries.push_back(std::move(kw));
    return entries;
}

Value builtin_namespace(Interpreter& interp, CallArgs& args) {
    NamespacePtr ns = interp.new_namespace();
    for (auto& [key, value] : collect_entries("namespace", args)) ns->set(key, std::move(value));
    return Value::from(ns);
}

Value builtin_dict(Interpreter& interp, CallArgs& args) {
    auto entries = collect_entries("dict", args);
    interp.check_list_size(entries.size());
    return Value::dict(std::move(entries));
}

Value builtin_raise_exception(Interpreter&, CallArgs& args) {
    ArgReader reader("raise_exception", args);
    const Value message = reader.get_or(0, "message", Value::string(""));
    reader.finish();
    throw Error(ErrorKind::bad_request, to_str(message));
}

Value builtin_strftime_now(Interpreter&, CallArgs& args) {
    ArgReader reader("strftime_now", args);
    const std::string format = str_arg(reader.require(0, "format"), "strftime_now() format");
    reader.finish();
    constexpr std::size_t kMaxFormat = 256;  // date formats are short; this bounds the buffer below
    if (format.size() > kMaxFormat) throw TemplateError("strftime_now() format is too long");
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    std::string buffer(kMaxFormat * 16, '\0');
    buffer.resize(std::strftime(buffer.data(), buffer.size(), format.c_str(), &local));
    return Value::string(std::move(buffer));
}

// receiver.name(...) for the str, dict and list methods below.
class BoundMethod : public Callable {
public:
    BoundMethod(Value receiver, std::string name) : receiver_(std::move(receiver)), name_(std::move(name)) {}
    Value call(Interpreter& interp, CallArgs args) const override;
    std::string repr() const override { return "<built-in method " + name_ + " of " + type_name(receiver_) + " object>"; }

private:
    Value call_str(Interpreter& interp, ArgReader& args) const;
    Value call_dict(Interpreter& interp, ArgReader& args) const;
    Value call_list(ArgReader& args) const;

    Value receiver_;
    std::string name_;
};

constexpr std::array kStrMethods = {"strip", "lstrip", "rstrip", "split", "startswith", "endswith", "upper",
                                    "lower", "title", "capitalize", "replace", "find", "count", "join",
                                    "isdigit", "isalpha", "isalnum", "isspace", "islower", "isupper"};
constexpr std::array kDictMethods = {"items", "keys", "values", "get", "copy"};
constexpr std::array kListMethods = {"index", "count", "copy"};
constexpr std::array kListMutators = {"append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse"};
constexpr std::array kDictMutators = {"pop", "popitem", "setdefault", "update", "clear"};

template <std::size_t N>
bool listed(const std::array<const char*, N>& names, std::string_view name) {
    for (const char* n : names) {
        if (name == n) return true;
    }
    return false;
}

std::optional<std::string> optional_str(const Value* v, std::string_view what) {
    if (!v || v->is_none()) return std::nullopt;
    return str_arg(*v, what);
}

bool all_chars(const std::string& s, bool (*pred)(char32_t)) {
    const std::u32string cps = text::decode(s);
    return !cps.empty() && std::all_of(cps.begin(), cps.end(), pred);
}

bool affix_matches(const std::string& s, const Value& affix, bool at_start) {
    auto one = [&](const Value& a) {
        const std::string& x = str_arg(a, "startswith/endswith argument");
        return x.size() <= s.size() && (at_start ? s.compare(0, x.size(), x) == 0
                                                 : s.compare(s.size() - x.size(), x.size(), x) == 0);
    };
    if (!affix.is(Value::Kind::list)) return one(affix);
    return std::any_of(affix.as_list().items.begin(), affix.as_list().items.end(), one);
}

Value BoundMethod::call(Interpreter& interp, CallArgs args) const {
    ArgReader reader(name_, args);
    Value result;
    switch (receiver_.kind()) {
        case Value::Kind::string: result = call_str(interp, reader); break;
        case Value::Kind::dict: result = call_dict(interp, reader); break;
        default: result = call_list(reader); break;
    }
    reader.finish();
    return result;
}

Value BoundMethod::call_str(Interpreter& interp, ArgReader& args) const {
    const std::string& s = receiver_.as_string();
    const std::string_view m = name_;
    if (m == "strip" || m == "lstrip" || m == "rstrip") {
        const auto side = m == "strip" ? text::StripSide::both : m == "lstrip" ? text::StripSide::left : text::StripSide::right;
        return Value::string(text::strip(s, optional_str(args.get(0, "chars"), "strip() chars"), side));
    }
    if (m == "split") {
        const auto sep = optional_str(args.get(0, "sep"), "split() separator");
        const std::int64_t maxsplit = int_arg(args.get_or(1, "maxsplit", Value::integer(-1)), "maxsplit");
        std::vector<Value> parts;
        for (std::string& part : text::split(s, sep, maxsplit)) parts.push_back(Value::string(std::move(part)));
        interp.check_list_size(parts.size());
        return Value::list(std::move(parts));
    }
    if (m == "startswith" || m == "endswith") return Value::boolean(affix_matches(s, args.require(0, "prefix"), m == "startswith"));
    if (m == "upper") return Value::string(text::upper(s));
    if (m == "lower") return Value::string(text::lower(s));
    if (m == "title") return Value::string(text::py_title(s));
    if (m == "capitalize") return Value::string(text::capitalize(s));
    if (m == "replace") {
        const std::string& old = str_arg(args.require(0, "old"), "replace() argument");
        const std::string& with = str_arg(args.require(1, "new"), "replace() argument");
        const std::int64_t count = int_arg(args.get_or(2, "count", Value::integer(-1)), "replace() count");
        std::string out = text::replace(s, old, with, count);
        interp.check_string_size(out.size());
        return Value::string(std::move(out));
    }
    if (m == "find") return Value::integer(text::find(s, str_arg(args.require(0, "sub"), "find() argument")));
    if (m == "count") return Value::integer(text::count(s, str_arg(args.require(0, "sub"), "count() argument")));
    if (m == "join") {
        std::string out;
        bool first = true;
        for (const Value& item : interp.iterate(args.require(0, "iterable"))) {
            if (!first) out += s;
            first = false;
            out += str_arg(item, "join() item");
            interp.check_string_size(out.size());
        }
        return Value::string(std::move(out));
    }
    if (m == "isdigit") return Value::boolean(all_chars(s, [](char32_t c) { return c >= '0' && c <= '9'; }));
    if (m == "isalpha") return Value::boolean(all_chars(s, [](char32_t c) { return text::is_ascii_alpha(c) || c >= 0xC0; }));
    if (m == "isalnum") {
        return Value::boolean(all_chars(s, [](char32_t c) { return text::is_ascii_alpha(c) || (c >= '0' && c <= '9') || c >= 0xC0; }));
    }
    if (m == "isspace") return Value::boolean(all_chars(s, text::is_space));
    const bool has_letters = std::any_of(s.begin(), s.end(), [](char c) { return text::is_ascii_alpha(static_cast<unsigned char>(c)); });
    if (m == "islower") return Value::boolean(has_letters && text::lower(s) == s);
    return Value::boolean(has_letters && text::upper(s) == s);  // isupper
}

Value BoundMethod::call_dict(Interpreter& interp, ArgReader& args) const {
    const Dict& d = receiver_.as_dict();
    if (name_ == "get") {
        const Value& key = args.require(0, "key");
        const Value fallback = args.get_or(1, "default", Value::none());
        const Value* found = key.is_string() ? d.find(key.as_string()) : nullptr;
        return found ? *found : fallback;
    }
    if (name_ == "copy") return receiver_;
    interp.check_list_size(d.entries.size());
    std::vector<Value> out;
    for (const auto& [key, value] : d.entries) {
        if (name_ == "keys") {
            out.push_back(Value::string(key));
        } else if (name_ == "values") {
            out.push_back(value);
        } else {
            out.push_back(Value::tuple({Value::string(key), value}));
        }
    }
    return Value::list(std::move(out));
}

Value BoundMethod::call_list(ArgReader& args) const {
    const List& l = receiver_.as_list();
    if (name_ == "copy") return receiver_;
    const Value& x = args.require(0, "value");
    std::int64_t count = 0;
    for (std::size_t i = 0; i < l.items.size(); ++i) {
        if (!values_equal(l.items[i], x)) continue;
        if (name_ == "index") return Value::integer(static_cast<std::int64_t>(i));
        ++count;
    }
    if (name_ == "index") throw TemplateError(to_repr(x) + " is not in list");
    return Value::integer(count);
}

}  // namespace

std::vector<std::pair<std::string, Value>> builtin_globals() {
    auto fn = [](const char* name, BuiltinFn f) {
        return std::pair<std::string, Value>(name, Value::from(CallablePtr(std::make_shared<BuiltinFunction>(name, f))));
    };
    return {fn("range", builtin_range),
            fn("namespace", builtin_namespace),
            fn("dict", builtin_dict),
            fn("raise_exception", builtin_raise_exception),
            fn("strftime_now", builtin_strftime_now)};
}

std::optional<Value> bound_method(const Value& receiver, std::string_view name) {
    bool known = false;
    bool mutator = false;
    switch (receiver.kind()) {
        case Value::Kind::string: known = listed(kStrMethods, name); break;
        case Value::Kind::dict:
            known = listed(kDictMethods, name);
            mutator = listed(kDictMutators, name);
            break;
        case Value::Kind::list:
            known = listed(kListMethods, name);
            mutator = listed(kListMutators, name);
            break;
        default: return std::nullopt;
    }
    if (mutator) {
        throw TemplateError("access to attribute '" + std::string(name) + "' of '" + type_name(receiver) +
                            "' object is unsafe");
    }
    if (!known) return std::nullopt;
    return Value::from(CallablePtr(std::make_shared<BoundMethod>(receiver, std::string(name))));
}

}  // namespace hearth::jinja
