#include "app/server/json_reader.h"

#include <algorithm>
#include <utility>

#include "app/server/api_error.h"

namespace hearth::server {
namespace {

// Depth of nested arrays and objects, counted without parsing (brackets inside strings do not
// count); stops early once past `limit`. The parser itself does not bound nesting.
std::size_t nesting_depth(std::string_view text, std::size_t limit) {
    std::size_t depth = 0, deepest = 0;
    bool in_string = false, escaped = false;
    for (const char c : text) {
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            deepest = std::max(deepest, ++depth);
            if (deepest > limit) break;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

std::string article_for(std::string_view type_name) {
    return (type_name == "array" || type_name == "object" || type_name == "integer") ? "an " : "a ";
}

void check_range(const std::string& param, double value, double min, double max) {
    if (value >= min && value <= max) return;
    throw invalid_request("Invalid '" + param + "': " + number_text(value) + " is out of range; it must be between " +
                              number_text(min) + " and " + number_text(max) + ".",
                          param, "invalid_value");
}

}  // namespace

nlohmann::json parse_json_object(std::string_view body, const ApiLimits& limits) {
    if (body.size() > limits.max_body_bytes) throw body_too_large(body.size(), limits.max_body_bytes);
    if (nesting_depth(body, limits.max_json_depth) > limits.max_json_depth) {
        throw invalid_request("the request body nests arrays/objects deeper than " +
                              std::to_string(limits.max_json_depth) + " levels");
    }
    nlohmann::json root = nlohmann::json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
    if (root.is_discarded()) {
        throw invalid_request("the request body is not valid JSON (or a number in it is out of range)", "",
                              "invalid_json");
    }
    if (!root.is_object()) throw_wrong_type("body", "object", root);
    return root;
}

void throw_wrong_type(const std::string& param, std::string_view expected, const nlohmann::json& got) {
    const std::string got_name = got.is_number_float() ? "number" : got.type_name();
    throw invalid_request("Invalid type for '" + param + "': expected " + article_for(expected) +
                              std::string(expected) + ", but got " + article_for(got_name) + got_name + " instead.",
                          param, "invalid_type");
}

std::string number_text(double value) { return nlohmann::json(value).dump(); }

FieldReader::FieldReader(const nlohmann::json& object, std::string path) : object_(object), path_(std::move(path)) {}

FieldReader read_object(const nlohmann::json& value, std::string path) {
    if (!value.is_object()) throw_wrong_type(path, "object", value);
    return FieldReader(value, std::move(path));
}

const nlohmann::json* FieldReader::find(std::string_view key) const {
    const auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) return nullptr;
    return &*it;
}

std::string FieldReader::param(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

std::optional<std::string> FieldReader::string(std::string_view key) const {
    const nlohmann::json* value = find(key);
    if (!value) return std::nullopt;
    if (!value->is_string()) throw_wrong_type(param(key), "string", *value);
    return value->get<std::string>();
}

std::string FieldReader::required_string(std::string_view key) const {
    std::optional<std::string> value = string(key);
    if (!value) {
        throw invalid_request("Missing required parameter: '" + param(key) + "'.", param(key),
                              "missing_required_parameter");
    }
    return std::move(*value);
}

std::optional<bool> FieldReader::boolean(std::string_view key) const {
    const nlohmann::json* value = find(key);
    if (!value) return std::nullopt;
    if (!value->is_boolean()) throw_wrong_type(param(key), "boolean", *value);
    return value->get<bool>();
}

std::optional<double> FieldReader::number(std::string_view key, Range<double> range) const {
    const nlohmann::json* value = find(key);
    if (!value) return std::nullopt;
    return read_number(*value, param(key), range);
}

std::optional<int64_t> FieldReader::integer(std::string_view key, Range<int64_t> range) const {
    const nlohmann::json* value = find(key);
    if (!value) return std::nullopt;
    return read_integer(*value, param(key), range);
}

double read_number(const nlohmann::json& value, const std::string& param, Range<double> range) {
    if (!value.is_number()) throw_wrong_type(param, "number", value);
    const double number = value.get<double>();
    check_range(param, number, range.min, range.max);
    return number;
}

int64_t read_integer(const nlohmann::json& value, const std::string& param, Range<int64_t> range) {
    if (!value.is_number_integer()) throw_wrong_type(param, "integer", value);
    // Non-negative integers arrive as unsigned; those above INT64_MAX are out of every range.
    const bool representable =
        !value.is_number_unsigned() || value.get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX);
    const int64_t number = representable ? value.get<int64_t>() : 0;
    if (!representable || number < range.min || number > range.max) {
        throw invalid_request("Invalid '" + param + "': " + value.dump() + " is out of range; it must be between " +
                                  std::to_string(range.min) + " and " + std::to_string(range.max) + ".",
                              param, "invalid_value");
    }
    return number;
}

const nlohmann::json* FieldReader::array(std::string_view key) const {
    const nlohmann::json* value = find(key);
    if (value && !value->is_array()) throw_wrong_type(param(key), "array", *value);
    return value;
}

const nlohmann::json* FieldReader::object(std::string_view key) const {
    const nlohmann::json* value = find(key);
    if (value && !value->is_object()) throw_wrong_type(param(key), "object", *value);
    return value;
}

}  // namespace hearth::server
