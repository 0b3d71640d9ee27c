// POST /tokenize and /detokenize bodies (llama.cpp's server shape).
#include <limits>
#include <string>

#include "app/server/api_request.h"
#include "app/server/json_reader.h"
#include "app/server/request_fields.h"

namespace hearth::server {

TokenizeRequest parse_tokenize(std::string_view body_text, const ApiLimits& limits) {
    const nlohmann::json root = parse_json_object(body_text, limits);
    const FieldReader body(root, "");
    TokenizeRequest request;
    request.content = body.required_string("content");
    check_content_bytes(request.content.size(), limits, "content");
    request.add_special = body.boolean("add_special").value_or(false);
    return request;
}

DetokenizeRequest parse_detokenize(std::string_view body_text, const ApiLimits& limits) {
    const nlohmann::json root = parse_json_object(body_text, limits);
    const nlohmann::json* tokens = FieldReader(root, "").array("tokens");
    if (!tokens) {
        throw invalid_request("Missing required parameter: 'tokens'.", "tokens", "missing_required_parameter");
    }
    if (tokens->size() > limits.max_detokenize_tokens) {
        throw invalid_request("Invalid 'tokens': at most " + std::to_string(limits.max_detokenize_tokens) +
                                  " tokens are allowed, got " + std::to_string(tokens->size()) + ".",
                              "tokens", "array_above_max_length");
    }
    DetokenizeRequest request;
    request.tokens.reserve(tokens->size());
    constexpr int64_t kMaxId = std::numeric_limits<int32_t>::max();
    for (std::size_t i = 0; i < tokens->size(); ++i) {
        const std::string param = "tokens[" + std::to_string(i) + "]";
        request.tokens.push_back(static_cast<int32_t>(read_integer((*tokens)[i], param, {0, kMaxId})));
    }
    return request;
}

}  // namespace hearth::server
