#pragma once
// How a request fails over HTTP: a status, OpenAI's error type and code, and the parameter at
// fault. ApiError derives from hearth::Error, so code that only knows Error still catches it
// (kind bad_request for 4xx, unsupported for unsupported values, the engine's kind otherwise).
// Parsers throw only ApiError.
#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace hearth::server {

struct ApiErrorInfo {
    int status = 400;
    std::string type = "invalid_request_error";  // also not_found_error, server_error, ...
    std::string message;
    std::string param;  // e.g. "messages[2].content"; "" when no single parameter is at fault
    std::string code;   // OpenAI's machine-readable code (invalid_type, ...); "" for none
};

class ApiError : public Error {
public:
    ApiError(ErrorKind kind, ApiErrorInfo info);

    int status() const noexcept { return info_.status; }
    const std::string& type() const noexcept { return info_.type; }
    const std::string& message() const noexcept { return info_.message; }
    const std::string& param() const noexcept { return info_.param; }
    const std::string& code() const noexcept { return info_.code; }

private:
    ApiErrorInfo info_;
};

// 400 invalid_request_error.
ApiError invalid_request(std::string message, std::string param = {}, std::string code = {});
// 400 for a valid request that Hearth does not serve (n > 1, JSON mode, tools): code unsupported_value.
ApiError unsupported_value(std::string message, std::string param);
// 413: the body is larger than ApiLimits::max_body_bytes.
ApiError body_too_large(std::size_t bytes, std::size_t limit);
// 404 not_found_error, code model_not_found.
ApiError model_not_found(std::string_view model);
// An error thrown by the engine, as HTTP: bad_request and unsupported give 400, out_of_memory
// and cancelled 503 (try again), the rest 500 server_error.
ApiError to_api_error(const Error& error);

// {"error": {"message", "type", "param", "code"}}; param and code are null when empty.
nlohmann::json openai_error_body(const ApiError& error);
// Ollama's shape: {"error": "message"}.
nlohmann::json ollama_error_body(const ApiError& error);

}  // namespace hearth::server
