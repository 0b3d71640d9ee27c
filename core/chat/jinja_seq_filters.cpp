// Filters over sequences: map, select/reject, selectattr/rejectattr, sort, dictsort, unique,
// min, max, sum. jinja2 returns generators for several of them; lists behave the same wherever templates
// consume them (|list, |join, for loops).
#include <algorithm>
#include <array>
#include <charconv>

#include "core/chat/jinja_filters.h"
#include "core/chat/jinja_interpreter.h"
#include "core/chat/jinja_operators.h"
#include "core/chat/jinja_strings.h"

namespace hearth::jinja {

namespace {

// Remaining positional and keyword arguments, passed on to a test or filter by name.
CallArgs rest_of(const CallArgs& args, std::size_t skip) {
    CallArgs rest;
    for (std::size_t i = skip; i < args.positional.size(); ++i) rest.positional.push_back(args.positional[i]);
    rest.keyword = args.keyword;
    return rest;
}

Value map_filter(Interpreter& interp, const Value& seq, CallArgs& args) {
    std::vector<Value> out;
    const std::vector<Value> items = interp.iterate(seq);
    interp.check_list_size(items.size());
    if (args.positional.empty()) {
        ArgReader reader("map", args);
        const Value& attribute = reader.require(0, "attribute");
        const Value fallback = reader.get_or(1, "default", Value::none());
        reader.finish();
        for (const Value& item : items) {
            Value v = lookup_path(interp, item, to_str(attribute));
            out.push_back(v.is_undefined() && !fallback.is_none() ? fallback : std::move(v));
        }
        return Value::list(std::move(out));
    }
    const std::string filter = to_str(args.positional[0]);
    for (const Value& item : items) out.push_back(interp.apply_filter(filter, item, rest_of(args, 1)));
    return Value::list(std::move(out));
}

// select/reject (attribute empty) and selectattr/rejectattr.
Value select_filter(Interpreter& interp, const Value& seq, const CallArgs& args, bool by_attribute, bool keep) {
    const std::size_t test_at = by_attribute ? 1 : 0;
    if (by_attribute && args.positional.empty()) throw TemplateError("selectattr/rejectattr need an attribute");
    const std::string attribute = by_attribute ? to_str(args.positional[0]) : std::string();
    const bool has_test = args.positional.size() > test_at;
    const std::string test = has_test ? to_str(args.positional[test_at]) : std::string();
    std::vector<Value> out;
    for (const Value& item : interp.iterate(seq)) {
        interp.spend_steps(1);
        const Value subject = by_attribute ? lookup_path(interp, item, attribute) : item;
        const bool passed = has_test ? interp.apply_test(test, subject, rest_of(args, test_at + 1)) : truthy(subject);
        if (passed == keep) out.push_back(item);
    }
    return Value::list(std::move(out));
}

struct KeyOptions {
    bool case_sensitive = false;
    Value attribute = Value::none();
};

// The key jinja2 sorts and compares by: the attribute, lower-cased unless case_sensitive.
Value key_of(Interpreter& interp, const Value& item, const KeyOptions& options) {
    Value key = options.attribute.is_none() ? item : lookup_path(interp, item, to_str(options.attribute));
    if (!options.case_sensitive && key.is_string()) return Value::string(text::lower(key.as_string()));
    return key;
}

Value sort_filter(Interpreter& interp, const Value& seq, CallArgs& args) {
    ArgReader reader("sort", args);
    const bool reverse = truthy(reader.get_or(0, "reverse", Value::boolean(false)));
    KeyOptions options{truthy(reader.get_or(1, "case_sensitive", Value::boolean(false))),
                       reader.get_or(2, "attribute", Value::none())};
    reader.finish();
    std::vector<std::pair<Value, Value>> keyed;  // (key, item)
    for (const Value& item : interp.iterate(seq)) keyed.emplace_back(key_of(interp, item, options), item);
    std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
        return reverse ? order(b.first, a.first) < 0 : order(a.first, b.first) < 0;
    });
    std::vector<Value> out;
    for (auto& [key, item] : keyed) out.push_back(std::move(item));
    return Value::list(std::move(out));
}

Value dictsort_filter(Interpreter& interp, const Value& dict, CallArgs& args) {
    ArgReader reader("dictsort", args);
    const bool case_sensitive = truthy(reader.get_or(0, "case_sensitive", Value::boolean(false)));
    const std::string by = to_str(reader.get_or(1, "by", Value::string("key")));
    const bool reverse = truthy(reader.get_or(2, "reverse", Value::boolean(false)));
    reader.finish();
    if (!dict.is(Value::Kind::dict)) throw TemplateError("dictsort expects a mapping");
    if (by != "key" && by != "value") throw TemplateError("dictsort: you can only sort by either 'key' or 'value'");
    const KeyOptions options{case_sensitive, Value::none()};
    std::vector<std::pair<Value, Value>> keyed;  // (key, (k, v))
    for (const auto& [k, v] : dict.as_dict().entries) {
        keyed.emplace_back(key_of(interp, by == "key" ? Value::string(k) : v, options), Value::tuple({Value::string(k), v}));
    }
    std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
        return reverse ? order(b.first, a.first) < 0 : order(a.first, b.first) < 0;
    });
    std::vector<Value> out;
    for (auto& [key, pair] : keyed) out.push_back(std::move(pair));
    return Value::list(std::move(out));
}

Value unique_filter(Interpreter& interp, const Value& seq, CallArgs& args) {
    ArgReader reader("unique", args);
    KeyOptions options{truthy(reader.get_or(0, "case_sensitive", Value::boolean(false))),
                       reader.get_or(1, "attribute", Value::none())};
    reader.finish();
    std::vector<Value> seen;
    std::vector<Value> out;
    for (const Value& item : interp.iterate(seq)) {
        interp.spend_steps(seen.size() + 1);
        Value key = key_of(interp, item, options);
        if (std::any_of(seen.begin(), seen.end(), [&](const Value& s) { return values_equal(s, key); })) continue;
        seen.push_back(std::move(key));
        out.push_back(item);
    }
    return Value::list(std::move(out));
}

Value extreme_filter(Interpreter& interp, const Value& seq, CallArgs& args, bool want_max) {
    ArgReader reader(want_max ? "max" : "min", args);
    KeyOptions options{truthy(reader.get_or(0, "case_sensitive", Value::boolean(false))),
                       reader.get_or(1, "attribute", Value::none())};
    reader.finish();
    const std::vector<Value> items = interp.iterate(seq);
    if (items.empty()) return Value::undefined("No aggregated item, sequence was empty.");
    std::size_t best = 0;
    Value best_key = key_of(interp, items[0], options);
    for (std::size_t i = 1; i < items.size(); ++i) {
        Value key = key_of(interp, items[i], options);
        const int c = order(key, best_key);
        if (want_max ? c > 0 : c < 0) best = i, best_key = std::move(key);
    }
    return items[best];
}

Value sum_filter(Interpreter& interp, const Value& seq, CallArgs& args) {
    ArgReader reader("sum", args);
    const Value attribute = reader.get_or(0, "attribute", Value::none());
    Value total = reader.get_or(1, "start", Value::integer(0));
    reader.finish();
    for (const Value& item : interp.iterate(seq)) {
        total = binary_op(interp, "+", total, attribute.is_none() ? item : lookup_path(interp, item, to_str(attribute)));
    }
    return total;
}

using SequenceFilterFn = Value (*)(Interpreter&, const Value&, CallArgs&);

Value select(Interpreter& i, const Value& seq, CallArgs& args) { return select_filter(i, seq, args, false, true); }
Value reject(Interpreter& i, const Value& seq, CallArgs& args) { return select_filter(i, seq, args, false, false); }
Value selectattr(Interpreter& i, const Value& seq, CallArgs& args) { return select_filter(i, seq, args, true, true); }
Value rejectattr(Interpreter& i, const Value& seq, CallArgs& args) { return select_filter(i, seq, args, true, false); }
Value min_filter(Interpreter& i, const Value& seq, CallArgs& args) { return extreme_filter(i, seq, args, false); }
Value max_filter(Interpreter& i, const Value& seq, CallArgs& args) { return extreme_filter(i, seq, args, true); }

constexpr std::array<std::pair<std::string_view, SequenceFilterFn>, 11> kSequenceFilters = {{
    {"map", map_filter},   {"select", select},           {"reject", reject},         {"selectattr", selectattr},
    {"rejectattr", rejectattr}, {"sort", sort_filter},   {"dictsort", dictsort_filter}, {"unique", unique_filter},
    {"min", min_filter},   {"max", max_filter},          {"sum", sum_filter},
}};

}  // namespace

Value lookup_path(Interpreter& interp, const Value& item, std::string_view path) {
    Value current = item;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = path.find('.', start);
        const std::string_view part = path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        std::int64_t index = 0;
        const bool numeric = !part.empty() &&
                             std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
                             std::from_chars(part.data(), part.data() + part.size(), index).ec == std::errc();
        const Value key = numeric ? Value::integer(index) : Value::string(std::string(part));
        current = interp.get_item(current, key);
        if (dot == std::string_view::npos) return current;
        start = dot + 1;
    }
}

std::optional<Value> apply_sequence_filter(Interpreter& interp, std::string_view name, const Value& subject,
                                           CallArgs& args) {
    for (const auto& [filter_name, fn] : kSequenceFilters) {
        if (filter_name == name) return fn(interp, subject, args);
    }
    return std::nullopt;
}

bool is_sequence_filter(std::string_view name) {
    return std::any_of(kSequenceFilters.begin(), kSequenceFilters.end(), [&](const auto& f) { return f.first == name; });
}

}  // namespace hearth::jinja
