#include "app/server/api_error.h"

#include <utility>

namespace hearth::server {

ApiError::ApiError(ErrorKind kind, ApiErrorInfo info) : Error(kind, info.message), info_(std::move(info)) {}

ApiError invalid_request(std::string message, std::string param, std::string code) {
    return ApiError(ErrorKind::bad_request,
                    {.message = std::move(message), .param = std::move(param), .code = std::move(code)});
}

ApiError unsupported_value(std::string message, std::string param) {
    return ApiError(ErrorKind::unsupported,
                    {.message = std::move(message), .param = std::move(param), .code = "unsupported_value"});
}

ApiError body_too_large(std::size_t bytes, std::size_t limit) {
    return ApiError(ErrorKind::bad_request,
                    {.status = 413,
                     .message = "the request body has " + std::to_string(bytes) + " bytes; the limit is " +
                                std::to_string(limit),
                     .code = "request_too_large"});
}

ApiError model_not_found(std::string_view model) {
    return ApiError(ErrorKind::bad_request, {.status = 404,
                                             .type = "not_found_error",
                                             .message = "The model '" + std::string(model) + "' does not exist",
                                             .param = "model",
                                             .code = "model_not_found"});
}

ApiError to_api_error(const Error& error) {
    const std::string message = error.what();
    switch (error.kind()) {
        case ErrorKind::bad_request: return ApiError(error.kind(), {.message = message});
        case ErrorKind::unsupported: return ApiError(error.kind(), {.message = message, .code = "unsupported_value"});
        case ErrorKind::out_of_memory:
        case ErrorKind::cancelled:
            return ApiError(error.kind(), {.status = 503, .type = "server_error", .message = message});
        case ErrorKind::bad_file:
        case ErrorKind::io:
        case ErrorKind::internal: break;
    }
    return ApiError(error.kind(), {.status = 500, .type = "server_error", .message = message});
}

namespace {

nlohmann::json null_if_empty(const std::string& text) { return text.empty() ? nlohmann::json() : nlohmann::json(text); }

}  // namespace

nlohmann::json openai_error_body(const ApiError& error) {
    return {{"error",
             {{"message", error.message()},
              {"type", error.type()},
              {"param", null_if_empty(error.param())},
              {"code", null_if_empty(error.code())}}}};
}

nlohmann::json ollama_error_body(const ApiError& error) { return {{"error", error.message()}}; }

}  // namespace hearth::server
