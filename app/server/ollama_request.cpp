// POST /api/chat and /api/generate bodies (Ollama's API documentation).
#include <string>

#include "app/server/api_request.h"
#include "app/server/request_fields.h"

namespace hearth::server {
namespace {

ChatMessage read_message(const nlohmann::json& value, const std::string& path) {
    const FieldReader message = read_object(value, path);
    refuse_unless_empty(message, "images", "image input");
    refuse_unless_empty(message, "tool_calls", "tool calling");
    ChatMessage result;
    result.role = read_role(message, Dialect::ollama);
    // Only an assistant message may leave its content out (Ollama allows it beside tool_calls).
    result.content = result.role == "assistant" ? message.string("content").value_or("")
                                                : message.required_string("content");
    return result;
}

std::vector<ChatMessage> read_messages(const FieldReader& body, const ApiLimits& limits) {
    const nlohmann::json* messages = body.array("messages");
    if (!messages) return {};
    return read_message_array(*messages, limits, read_message);
}

// num_predict: a positive count, or -1 (unbounded) / -2 (fill the context), both the cap here.
int32_t read_num_predict(const FieldReader& options, const ApiLimits& limits) {
    const std::optional<int64_t> count = options.integer("num_predict", {-2, limits.max_tokens_cap});
    if (!count || *count < 0) return limits.max_tokens_cap;
    if (*count == 0) {
        throw invalid_request("Invalid 'options.num_predict': 0; it must be positive, or -1 for no limit.",
                              "options.num_predict", "invalid_value");
    }
    return static_cast<int32_t>(*count);
}

void read_options(const FieldReader& body, const ApiLimits& limits, GenerationRequest& request) {
    const nlohmann::json* options = body.object("options");
    const nlohmann::json no_options = nlohmann::json::object();
    const FieldReader fields(options ? *options : no_options, "options");
    request.sampling = read_sampling(fields);
    request.stop = read_stop(fields, limits);
    request.max_tokens = read_num_predict(fields, limits);
    validate_sampling(request.sampling);
}

// Fields /api/chat and /api/generate share; stream defaults to true in Ollama.
void read_common_fields(const FieldReader& body, const ApiLimits& limits, GenerationRequest& request) {
    request.model = body.string("model").value_or("");
    request.stream = body.boolean("stream").value_or(true);
    read_options(body, limits, request);
    refuse_unless_empty(body, "format", "structured output (format)");
}

}  // namespace

GenerationRequest parse_ollama_chat(std::string_view body_text, const ApiLimits& limits) {
    const nlohmann::json root = parse_json_object(body_text, limits);
    const FieldReader body(root, "");
    GenerationRequest request;
    request.kind = GenerationRequest::Kind::chat;
    request.messages = read_messages(body, limits);
    request.load_only = request.messages.empty();
    read_common_fields(body, limits, request);
    refuse_unless_empty(body, "tools", "tool calling");
    read_history_fields(body, request);
    return request;
}

GenerationRequest parse_ollama_generate(std::string_view body_text, const ApiLimits& limits) {
    const nlohmann::json root = parse_json_object(body_text, limits);
    const FieldReader body(root, "");
    GenerationRequest request;
    read_common_fields(body, limits, request);
    refuse_unless_empty(body, "images", "image input");
    refuse_unless_empty(body, "context", "the deprecated context array");
    if (!body.string("template").value_or("").empty()) {
        throw unsupported_value("A per-request template is not supported by this server.", "template");
    }
    if (!body.string("suffix").value_or("").empty()) {
        throw unsupported_value("A suffix (fill-in-the-middle) is not supported by this server.", "suffix");
    }
    const std::string prompt = body.string("prompt").value_or("");
    const std::string system = body.string("system").value_or("");
    check_content_bytes(prompt.size() + system.size(), limits, "prompt");
    request.load_only = prompt.empty() && system.empty();
    if (body.boolean("raw").value_or(false)) {
        if (!system.empty()) {
            throw invalid_request("'system' cannot be used with raw: true (the prompt is sent as it is).", "system",
                                  "invalid_value");
        }
        request.kind = GenerationRequest::Kind::completion;
        request.prompt = prompt;
        return request;
    }
    request.kind = GenerationRequest::Kind::chat;
    if (!system.empty()) request.messages.push_back({"system", system});
    if (!prompt.empty()) request.messages.push_back({"user", prompt});
    return request;
}

}  // namespace hearth::server
