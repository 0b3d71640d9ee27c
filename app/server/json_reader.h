#pragma once
// Typed, range-checked reads of request fields. Every failure is an ApiError naming the
// parameter by its path ("options.top_k", "messages[2].content"). JSON null counts as absent,
// as OpenAI treats it for optional parameters.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "app/server/api_limits.h"

namespace hearth::server {

// Parses a body that must be one JSON object, after checking its size and nesting depth.
nlohmann::json parse_json_object(std::string_view body, const ApiLimits& limits);

template <typename T>
struct Range {
    T min, max;
};

class FieldReader {
public:
    // `object` must be a JSON object; `path` names it in messages ("" for the body itself).
    FieldReader(const nlohmann::json& object, std::string path);

    // The field, or nullptr when it is absent or null.
    const nlohmann::json* find(std::string_view key) const;
    // The path of a field, for error messages: "options.top_k".
    std::string param(std::string_view key) const;

    std::optional<std::string> string(std::string_view key) const;
    std::string required_string(std::string_view key) const;
    std::optional<bool> boolean(std::string_view key) const;
    // Any JSON number, integers included.
    std::optional<double> number(std::string_view key, Range<double> range) const;
    // A JSON integer; 5.0 is refused, as a typed client would.
    std::optional<int64_t> integer(std::string_view key, Range<int64_t> range) const;
    // The field checked to be an array / an object, or nullptr when absent.
    const nlohmann::json* array(std::string_view key) const;
    const nlohmann::json* object(std::string_view key) const;

private:
    const nlohmann::json& object_;
    std::string path_;
};

// The same checks on a value that is not an object's field (an array element).
double read_number(const nlohmann::json& value, const std::string& param, Range<double> range);
int64_t read_integer(const nlohmann::json& value, const std::string& param, Range<int64_t> range);

// A FieldReader over `value`, which must be an object (else invalid_type naming `path`).
FieldReader read_object(const nlohmann::json& value, std::string path);

// "Invalid type for 'param': expected X, but got Y instead." (code invalid_type)
[[noreturn]] void throw_wrong_type(const std::string& param, std::string_view expected, const nlohmann::json& got);
// `text` of a number as JSON writes it (shortest round trip).
std::string number_text(double value);

}  // namespace hearth::server
