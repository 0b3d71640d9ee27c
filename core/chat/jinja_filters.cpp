#include "core/chat/jinja_filters.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "core/chat/jinja_builtins.h"
#include "core/chat/jinja_interpreter.h"
#include "core/chat/jinja_json.h"
#include "core/chat/jinja_operators.h"
#include "core/chat/jinja_strings.h"

namespace hearth::jinja {

namespace {

using FilterFn = Value (*)(Interpreter&, const Value&, CallArgs&);

std::int64_t length_of(const Value& v) {
    switch (v.kind()) {
        case Value::Kind::undefined: return 0;
        case Value::Kind::string: return static_cast<std::int64_t>(text::length(v.as_string()));
        case Value::Kind::list: return static_cast<std::int64_t>(v.as_list().items.size());
        case Value::Kind::dict: return static_cast<std::int64_t>(v.as_dict().entries.size());
        default: throw TemplateError("object of type '" + type_name(v) + "' has no len()");
    }
}

// Filters that take no arguments besides the subject.
void no_args(std::string_view name, const CallArgs& args) { ArgReader(name, args).finish(); }

Value transform_text(std::string_view name, const Value& v, CallArgs& args, std::string (*fn)(std::string_view)) {
    no_args(name, args);
    return Value::string(fn(to_str(v)));
}

Value f_abs(Interpreter&, const Value& v, CallArgs& args) {
    no_args("abs", args);
    if (v.is_integral()) {
        if (v.as_int() == std::numeric_limits<std::int64_t>::min()) throw TemplateError("integer overflow");
        return Value::integer(std::abs(v.as_int()));
    }
    if (v.is(Value::Kind::floating)) return Value::floating(std::fabs(v.as_double()));
    throw TemplateError("bad operand type for abs(): '" + type_name(v) + "'");
}

Value f_attr(Interpreter&, const Value& v, CallArgs& args) {
    ArgReader reader("attr", args);
    const Value name = reader.require(0, "name");
    reader.finish();
    if (!name.is_string()) throw TemplateError("attribute name must be a string");
    if (v.is_undefined()) fail_undefined(v);
    if (v.is(Value::Kind::ns)) {
        const Value* found = v.ns_ptr()->find(name.as_string());
        return found ? *found : Value::undefined("no attribute '" + name.as_string() + "'");
    }
    if (auto method = bound_method(v, name.as_string())) return *method;
    return Value::undefined("'" + type_name(v) + " object' has no attribute '" + name.as_string() + "'");
}

Value f_capitalize(Interpreter&, const Value& v, CallArgs& args) {
    return transform_text("capitalize", v, args, text::capitalize);
}

Value f_default(Interpreter&, const Value& v, CallArgs& args) {
    ArgReader reader("default", args);
    const Value fallback = reader.get_or(0, "default_value", Value::string(""));
    const bool boolean = truthy(reader.get_or(1, "boolean", Value::boolean(false)));
    reader.finish();
    return v.is_undefined() || (boolean && !truthy(v)) ? fallback : v;
}

std::string html_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&#34;"; break;
            case '\'': out += "&#39;"; break;
            default: out.push_back(c);
        }
    }
    return out;
}

Value f_escape(Interpreter&, const Value& v, CallArgs& args) {
    return transform_text("escape", v, args, html_escape);
}

Value f_first(Interpreter& interp, const Value& v, CallArgs& args) {
    no_args("first", args);
    if (v.is(Value::Kind::list)) {
        const auto& items = v.as_list().items;
        return items.empty() ? Value::undefined("No first item, sequence was empty.") : items.front();
    }
    const std::vector<Value> items = interp.iterate(v);
    return items.empty() ? Value::undefined("No first item, sequence was empty.") : items.front();
}

Value f_last(Interpreter& interp, const Value& v, CallArgs& args) {
    no_args("last", args);
    if (v.is(Value::Kind::list)) {
        const auto& items = v.as_list().items;
        return items.empty() ? Value::undefined("No last item, sequence was empty.") : items.back();
    }
    const std::vector<Value> items = interp.iterate(v);
    return items.empty() ? Value::undefined("No last item, sequence was empty.") : items.back();
}

// Python's int(str): optional sign and surrounding whitespace, digits with single underscores.
std::optional<std::int64_t> parse_int(const std::string& raw) {
    const std::string s = text::strip(raw, std::nullopt, text::StripSide::both);
    std::size_t i = s.empty() ? 0 : (s[0] == '+' || s[0] == '-') ? 1 : 0;
    if (i >= s.size()) return std::nullopt;
    std::int64_t value = 0;
    bool last_digit = false;
    for (; i < s.size(); ++i) {
        if (s[i] == '_' && last_digit && i + 1 < s.size() && s[i + 1] != '_') {
            last_digit = false;
            continue;
        }
        if (s[i] < '0' || s[i] > '9') return std::nullopt;
        if (__builtin_mul_overflow(value, 10, &value) || __builtin_add_overflow(value, s[i] - '0', &value)) {
            return std::nullopt;
        }
        last_digit = true;
    }
    if (!last_digit) return std::nullopt;
    return s[0] == '-' ? -value : value;
}

std::optional<double> parse_float(const std::string& raw) {
    std::string s = text::strip(raw, std::nullopt, text::StripSide::both);
    s.erase(std::remove(s.begin(), s.end(), '_'), s.end());
    if (s.empty()) return std::nullopt;
    char* end = nullptr;
    const double d = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size()) return std::nullopt;
    return d;
}

Value f_float(Interpreter&, const Value& v, CallArgs& args) {
    ArgReader reader("float", args);
    const Value fallback = reader.get_or(0, "default", Value::floating(0.0));
    reader.finish();
    if (v.is_undefined()) fail_undefined(v);
    if (v.is_number()) return Value::floating(v.as_double());
    if (v.is_string()) {
        if (auto d = parse_float(v.as_string())) return Value::floating(*d);
    }
    return fallback;
}

Value f_int(Interpreter&, const Value& v, CallArgs& args) {
    ArgReader reader("int", args);
    const Value fallback = reader.get_or(0, "default", Value::integer(0));
    reader.finish();
    if (v.is_undefined()) fail_undefined(v);
    if (v.is_integral()) return Value::integer(v.as_int());
    std::optional<double> d;
    if (v.is(Value::Kind::floating)) d = v.as_double();
    if (v.is_string()) {
        if (auto i = parse_int(v.as_string())) return Value::integer(*i);
        d = parse_float(v.as_string());
    }
    if (!d || !std::isfinite(*d)) return fallback;
    if (std::fabs(*d) >= 9.2e18) throw TemplateError("integer overflow");
    return Value::integer(static_cast<std::int64_t>(std::trunc(*d)));
}

// str.splitlines() on the line breaks Python recognises.
std::vector<std::u32string> split_lines(const std::u32string& s) {
    std::vector<std::u32string> lines;
    std::u32string line;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char32_t c = s[i];
        const bool brk = c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || (c >= 0x1C && c <= 0x1E) || c == 0x85 ||
                         c == 0x2028 || c == 0x2029;
        if (!brk) {
            line.push_back(c);
            continue;
        }
        if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
        lines.push_back(std::move(line));
        line.clear();
    }
    if (!line.empty()) lines.push_back(std::move(line));
    return lines;
}

Value f_indent(Interpreter& interp, const Value& v, CallArgs& args) {
    ArgReader reader("indent", args);
    const Value width = reader.get_or(0, "width", Value::integer(4));
    const bool first = truthy(reader.get_or(1, "first", Value::boolean(false)));
    const bool blank = truthy(reader.get_or(2, "blank", Value::boolean(false)));
    reader.finish();
    if (!v.is_string()) throw TemplateError("indent expects a string, not '" + type_name(v) + "'");
    std::u32string indention;
    if (width.is_string()) {
        indention = text::decode(width.as_string());
    } else if (width.is_integral()) {
        interp.check_string_size(static_cast<std::size_t>(std::max<std::int64_t>(0, width.as_int())));
        indention.assign(static_cast<std::size_t>(std::max<std::int64_t>(0, width.as_int())), U' ');
    } else {
        throw TemplateError("indent width must be an integer or a string");
    }
    const std::vector<std::u32string> lines = split_lines(text::decode(v.as_string()) + U"\n");
    std::u32string out = lines.empty() ? U"" : lines[0];
    interp.check_string_size(v.as_string().size() + lines.size() * indention.size());
    for (std::size_t i = 1; i < lines.size(); ++i) {
        out += U"\n";
        if (blank || !lines[i].empty()) out += indention;
        out += lines[i];
    }
    if (first) out = indention + out;
    return Value::string(text::encode(out));
}

Value f_items(Interpreter& interp, const Value& v, CallArgs& args) {
    no_args("items", args);
    if (v.is_undefined()) return Value::list({});
    if (!v.is(Value::Kind::dict)) throw TemplateError("Can only get item pairs from a mapping.");
    interp.check_list_size(v.as_dict().entries.size());
    std::vector<Value> pairs;
    for (const auto& [key, value] : v.as_dict().entries) pairs.push_back(Value::tuple({Value::string(key), value}));
    return Value::list(std::move(pairs));
}

Value f_join(Interpreter& interp, const Value& v, CallArgs& args) {
    ArgReader reader("join", args);
    const std::string separator = to_str(reader.get_or(0, "d", Value::string("")));
    const Value attribute = reader.get_or(1, "attribute", Value::none());
    reader.finish();
    std::string out;
    bool first = true;
    for (const Value& item : interp.iterate(v)) {
        if (!first) out += separator;
        first = false;
        out += to_str(attribute.is_none() ? item : lookup_path(interp, item, to_str(attribute)));
        interp.check_string_size(out.size());
    }
    return Value::string(std::move(out));
}

Value f_length(Interpreter&, const Value& v, CallArgs& args) {
    no_args("length", args);
    return Value::integer(length_of(v));
}

Value f_list(Interpreter& interp, const Value& v, CallArgs& args) {
    no_args("list", args);
    return Value::list(interp.iterate(v));
}

Value f_lower(Interpreter&, const Value& v, CallArgs& args) { return transform_text("lower", v, args, text::lower); }
Value f_upper(Interpreter&, const Value& v, CallArgs& args) { return transform_text("upper", v, args, text::upper); }
Value f_title(Interpreter&, const Value& v, CallArgs& args) { return transform_text("title", v, args, text::jinja_title); }

Value f_string(Interpreter&, const Value& v, CallArgs& args) {
    no_args("string", args);
    return Value::string(to_str(v));
}

Value f_replace(Interpreter& interp, const Value& v, CallArgs& args) {
    ArgReader reader("replace", args);
    const std::string old = to_str(reader.require(0, "old"));
    const std::string with = to_str(reader.require(1, "new"));
    const Value count = reader.get_or(2, "count", Value::none());
    reader.finish();
    if (!count.is_none() && !count.is_integral()) throw TemplateError("replace count must be an integer");
    std::string out = text::replace(to_str(v), old, with, count.is_none() ? -1 : count.as_int());
    interp.check_string_size(out.size());
    return Value::string(std::move(out));
}

Value f_reverse(Interpreter& interp, const Value& v, CallArgs& args) {
    no_args("reverse", args);
    if (v.is_string()) {
        std::u32string cps = text::decode(v.as_string());
        std::reverse(cps.begin(), cps.end());
        return Value::string(text::encode(cps));
    }
    std::vector<Value> items = interp.iterate(v);
    std::reverse(items.begin(), items.end());
    return Value::list(std::move(items));
}

Value f_round(Interpreter&, const Value& v, CallArgs& args) {
    ArgReader reader("round", args);
    const Value precision_value = reader.get_or(0, "precision", Value::integer(0));
    const std::string method = to_str(reader.get_or(1, "method", Value::string("common")));
    reader.finish();
    if (!v.is_number() || !precision_value.is_integral()) throw TemplateError("round expects a number and an integer precision");
    const std::int64_t precision = std::clamp<std::int64_t>(precision_value.as_int(), -308, 308);
    if (method != "common" && method != "ceil" && method != "floor") {
        throw TemplateError("method must be common, ceil or floor");
    }
    if (method == "common" && v.is_integral() && precision >= 0) return Value::integer(v.as_int());
    const double scale = std::pow(10.0, static_cast<double>(precision));
    const double x = v.as_double() * scale;
    const double r = method == "ceil" ? std::ceil(x) : method == "floor" ? std::floor(x) : std::nearbyint(x);
    return Value::floating(r / scale);
}

Value f_safe(Interpreter&, const Value& v, CallArgs& args) {
    no_args("safe", args);
    return Value::string(to_str(v));
}

Value f_tojson(Interpreter& interp, const Value& v, CallArgs& args) {
    ArgReader reader("tojson", args);  // transformers' signature: (x, ensure_ascii, indent, separators, sort_keys)
    JsonFormat format;
    format.ensure_ascii = truthy(reader.get_or(0, "ensure_ascii", Value::boolean(false)));
    const Value indent = reader.get_or(1, "indent", Value::none());
    const Value separators = reader.get_or(2, "separators", Value::none());
    format.sort_keys = truthy(reader.get_or(3, "sort_keys", Value::boolean(false)));
    reader.finish();
    if (indent.is_string()) {
        format.indent = indent.as_string();
    } else if (indent.is_integral()) {
        format.indent = std::string(static_cast<std::size_t>(std::clamp<std::int64_t>(indent.as_int(), 0, 64)), ' ');
    } else if (!indent.is_none()) {
        throw TemplateError("tojson indent must be an integer or a string");
    }
    if (format.indent) format.item_separator = ",";
    if (!separators.is_none()) {
        if (!separators.is(Value::Kind::list) || separators.as_list().items.size() != 2) {
            throw TemplateError("tojson separators must be a pair of strings");
        }
        format.item_separator = to_str(separators.as_list().items[0]);
        format.key_separator = to_str(separators.as_list().items[1]);
    }
    return Value::string(to_json(interp, v, format));
}

Value f_trim(Interpreter&, const Value& v, CallArgs& args) {
    ArgReader reader("trim", args);
    const Value chars = reader.get_or(0, "chars", Value::none());
    reader.finish();
    std::optional<std::string> set;
    if (!chars.is_none()) set = to_str(chars);
    return Value::string(text::strip(to_str(v), set, text::StripSide::both));
}

constexpr std::array<std::pair<std::string_view, FilterFn>, 28> kFilters = {{
    {"abs", f_abs},         {"attr", f_attr},       {"capitalize", f_capitalize}, {"count", f_length},
    {"d", f_default},       {"default", f_default}, {"e", f_escape},              {"escape", f_escape},
    {"first", f_first},     {"float", f_float},     {"forceescape", f_escape},    {"indent", f_indent},
    {"int", f_int},         {"items", f_items},     {"join", f_join},             {"last", f_last},
    {"length", f_length},   {"list", f_list},       {"lower", f_lower},           {"replace", f_replace},
    {"reverse", f_reverse}, {"round", f_round},     {"safe", f_safe},             {"string", f_string},
    {"title", f_title},     {"tojson", f_tojson},   {"trim", f_trim},             {"upper", f_upper},
}};

// jinja2 filters this implementation leaves out; templates naming them still parse.
constexpr std::array<std::string_view, 15> kUnimplementedFilters = {
    "batch",  "center",  "filesizeformat", "format", "groupby",  "pprint",   "random", "slice",
    "striptags", "truncate", "urlencode", "urlize", "wordcount", "wordwrap", "xmlattr"};

}  // namespace

bool is_jinja_filter(std::string_view name) {
    return std::any_of(kFilters.begin(), kFilters.end(), [&](const auto& f) { return f.first == name; }) ||
           is_sequence_filter(name) ||
           std::find(kUnimplementedFilters.begin(), kUnimplementedFilters.end(), name) != kUnimplementedFilters.end();
}

Value apply_builtin_filter(Interpreter& interp, std::string_view name, const Value& subject, CallArgs args) {
    for (const auto& [filter_name, fn] : kFilters) {
        if (filter_name == name) return fn(interp, subject, args);
    }
    if (auto result = apply_sequence_filter(interp, name, subject, args)) return *result;
    if (is_jinja_filter(name)) throw TemplateError("the filter '" + std::string(name) + "' is not supported");
    throw TemplateError("no filter named '" + std::string(name) + "'");
}

}  // namespace hearth::jinja
