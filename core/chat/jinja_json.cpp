#include "core/chat/jinja_json.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/chat/jinja_interpreter.h"
#include "core/chat/jinja_strings.h"

namespace hearth::jinja {

namespace {

// json.dumps(ensure_ascii=True) writes non-ASCII as \uXXXX, astral code points as surrogate pairs.
std::string ascii_only(const std::string& quoted) {
    std::string out;
    for (char32_t c : text::decode(quoted)) {
        auto escape = [&](char32_t unit) {
            char buf[16];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(unit));
            out += buf;
        };
        if (c < 0x7F) {
            out.push_back(static_cast<char>(c));
        } else if (c < 0x10000) {
            escape(c);
        } else {
            escape(0xD800 + ((c - 0x10000) >> 10));
            escape(0xDC00 + ((c - 0x10000) & 0x3FF));
        }
    }
    return out;
}

class JsonWriter {
public:
    JsonWriter(Interpreter& interp, const JsonFormat& format) : interp_(interp), format_(format) {}

    std::string run(const Value& v) {
        write(v, 0);
        return std::move(out_);
    }

private:
    void newline(int level) {
        if (!format_.indent) return;
        out_.push_back('\n');
        for (int i = 0; i < level; ++i) out_ += *format_.indent;
    }

    void string(const std::string& s) {
        const std::string quoted = text::json_quote(s);
        out_ += format_.ensure_ascii ? ascii_only(quoted) : quoted;
    }

    void write(const Value& v, int level) {
        if (level > kMaxValueDepth) throw TemplateError("value nested too deeply for tojson");
        interp_.check_string_size(out_.size());
        switch (v.kind()) {
            case Value::Kind::none: out_ += "null"; break;
            case Value::Kind::boolean: out_ += v.as_bool() ? "true" : "false"; break;
            case Value::Kind::integer: out_ += std::to_string(v.as_int()); break;
            case Value::Kind::floating: {
                const double d = v.as_double();
                out_ += std::isnan(d) ? "NaN" : std::isinf(d) ? (d > 0 ? "Infinity" : "-Infinity") : text::format_float(d);
                break;
            }
            case Value::Kind::string: string(v.as_string()); break;
            case Value::Kind::list: write_list(v.as_list(), level); break;
            case Value::Kind::dict: write_dict(v.as_dict(), level); break;
            default: throw TemplateError("Object of type " + type_name(v) + " is not JSON serializable");
        }
    }

    void write_list(const List& l, int level) {
        if (l.items.empty()) {
            out_ += "[]";
            return;
        }
        out_.push_back('[');
        for (std::size_t i = 0; i < l.items.size(); ++i) {
            if (i) out_ += format_.item_separator;
            newline(level + 1);
            write(l.items[i], level + 1);
        }
        newline(level);
        out_.push_back(']');
    }

    void write_dict(const Dict& d, int level) {
        if (d.entries.empty()) {
            out_ += "{}";
            return;
        }
        std::vector<const std::pair<std::string, Value>*> entries;
        for (const auto& e : d.entries) entries.push_back(&e);
        if (format_.sort_keys) {
            std::sort(entries.begin(), entries.end(), [](auto* a, auto* b) { return a->first < b->first; });
        }
        out_.push_back('{');
        for (std::size_t i = 0; i < entries.size(); ++i) {
            if (i) out_ += format_.item_separator;
            newline(level + 1);
            string(entries[i]->first);
            out_ += format_.key_separator;
            write(entries[i]->second, level + 1);
        }
        newline(level);
        out_.push_back('}');
    }

    Interpreter& interp_;
    const JsonFormat& format_;
    std::string out_;
};

Value from_json_at(const nlohmann::ordered_json& j, int depth) {
    if (depth > kMaxValueDepth) throw TemplateError("JSON nested more than " + std::to_string(kMaxValueDepth) + " deep");
    switch (j.type()) {
        case nlohmann::ordered_json::value_t::null: return Value::none();
        case nlohmann::ordered_json::value_t::boolean: return Value::boolean(j.get<bool>());
        case nlohmann::ordered_json::value_t::number_integer: return Value::integer(j.get<std::int64_t>());
        case nlohmann::ordered_json::value_t::number_unsigned: {
            const auto u = j.get<std::uint64_t>();
            if (u > static_cast<std::uint64_t>(INT64_MAX)) return Value::floating(static_cast<double>(u));
            return Value::integer(static_cast<std::int64_t>(u));
        }
        case nlohmann::ordered_json::value_t::number_float: return Value::floating(j.get<double>());
        case nlohmann::ordered_json::value_t::string: return Value::string(j.get<std::string>());
        case nlohmann::ordered_json::value_t::array: {
            std::vector<Value> items;
            for (const auto& item : j) items.push_back(from_json_at(item, depth + 1));
            return Value::list(std::move(items));
        }
        case nlohmann::ordered_json::value_t::object: {
            std::vector<std::pair<std::string, Value>> entries;
            for (const auto& [key, value] : j.items()) entries.emplace_back(key, from_json_at(value, depth + 1));
            return Value::dict(std::move(entries));
        }
        default: throw TemplateError("unsupported JSON value");
    }
}

}  // namespace

std::string to_json(Interpreter& interp, const Value& v, const JsonFormat& format) {
    std::string out = JsonWriter(interp, format).run(v);
    interp.check_string_size(out.size());
    return out;
}

Value value_from_json(const nlohmann::ordered_json& j) { return from_json_at(j, 0); }

}  // namespace hearth::jinja
