// POST /v1/chat/completions and /v1/completions bodies (OpenAI's API reference, plus llama.cpp's
// sampling extensions top_k, min_p, repeat_penalty, repeat_last_n).
#include <string>

#include "app/server/api_request.h"
#include "app/server/request_fields.h"

namespace hearth::server {
namespace {

std::string read_text_part(const nlohmann::json& value, const std::string& path) {
    const FieldReader part = read_object(value, path);
    const std::string type = part.required_string("type");
    if (type != "text") {
        throw unsupported_value("Unsupported content part type '" + type + "' in '" + part.param("type") +
                                    "': only text parts are supported.",
                                part.param("type"));
    }
    return part.required_string("text");
}

// A string, or an array of {type: "text", text} parts joined with "\n". Only an assistant
// message may leave it out (OpenAI allows that beside tool_calls, which are refused anyway).
std::string read_content(const FieldReader& message, const std::string& role) {
    const nlohmann::json* content = message.find("content");
    const std::string param = message.param("content");
    if (!content) {
        if (role == "assistant") return {};
        throw invalid_request("Missing required parameter: '" + param + "'.", param, "missing_required_parameter");
    }
    if (content->is_string()) return content->get<std::string>();
    if (!content->is_array()) throw_wrong_type(param, "string or array", *content);
    std::string text;
    for (std::size_t i = 0; i < content->size(); ++i) {
        if (i > 0) text += '\n';
        text += read_text_part((*content)[i], param + "[" + std::to_string(i) + "]");
    }
    return text;
}

ChatMessage read_message(const nlohmann::json& value, const std::string& path) {
    const FieldReader message = read_object(value, path);
    refuse_unless_empty(message, "tool_calls", "tool calling");
    refuse_unless_empty(message, "function_call", "function calling");
    ChatMessage result;
    result.role = read_role(message, Dialect::openai);
    result.content = read_content(message, result.role);
    return result;
}

std::vector<ChatMessage> read_messages(const FieldReader& body, const ApiLimits& limits) {
    const nlohmann::json* messages = body.array("messages");
    if (!messages) {
        throw invalid_request("Missing required parameter: 'messages'.", "messages", "missing_required_parameter");
    }
    if (messages->empty()) {
        throw invalid_request("Invalid 'messages': empty array. Expected an array with minimum length 1.", "messages",
                              "empty_array");
    }
    return read_message_array(*messages, limits, read_message);
}

// max_completion_tokens is the newer name of max_tokens; both may be given only when they agree.
int32_t read_chat_max_tokens(const FieldReader& body, const ApiLimits& limits) {
    const int32_t legacy = read_max_tokens(body, "max_tokens", limits);
    const int32_t current = read_max_tokens(body, "max_completion_tokens", limits);
    if (body.find("max_tokens") && body.find("max_completion_tokens") && legacy != current) {
        throw invalid_request("'max_tokens' and 'max_completion_tokens' disagree; give only one of them.",
                              "max_completion_tokens", "invalid_value");
    }
    return body.find("max_completion_tokens") ? current : legacy;
}

void read_stream_fields(const FieldReader& body, GenerationRequest& request) {
    request.stream = body.boolean("stream").value_or(false);
    const nlohmann::json* options = body.object("stream_options");
    if (!options) return;
    if (!request.stream) {
        throw invalid_request("'stream_options' is only allowed when 'stream' is true.", "stream_options",
                              "invalid_value");
    }
    request.include_usage = read_object(*options, "stream_options").boolean("include_usage").value_or(false);
}

void read_response_format(const FieldReader& body) {
    const nlohmann::json* format = body.object("response_format");
    if (!format) return;
    const FieldReader fields = read_object(*format, "response_format");
    const std::string type = fields.required_string("type");
    if (type != "text") {
        throw unsupported_value("response_format type '" + type + "' is not supported; only 'text' is.",
                                fields.param("type"));
    }
}

// Fields every OpenAI generation reads the same way.
void read_generation_fields(const FieldReader& body, const ApiLimits& limits, GenerationRequest& request) {
    request.model = body.string("model").value_or("");
    request.sampling = read_sampling(body);
    request.stop = read_stop(body, limits);
    read_stream_fields(body, request);
    refuse_count_above_one(body, "n", "choice");
    refuse_unless_empty(body, "logit_bias", "logit bias");
    validate_sampling(request.sampling);
}

void read_chat_logprobs(const FieldReader& body, GenerationRequest& request) {
    request.logprobs = body.boolean("logprobs").value_or(false);
    const std::optional<int64_t> top = body.integer("top_logprobs", {0, kMaxTopLogprobs});
    if (top && !request.logprobs) {
        throw invalid_request("'top_logprobs' requires 'logprobs' to be true.", "top_logprobs", "invalid_value");
    }
    request.top_logprobs = static_cast<int32_t>(top.value_or(0));
}

// A string, or an array holding exactly one string. Token-id prompts and batches are refused.
std::string read_prompt(const FieldReader& body) {
    const nlohmann::json* prompt = body.find("prompt");
    if (!prompt) {
        throw invalid_request("Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter");
    }
    if (prompt->is_string()) return prompt->get<std::string>();
    if (!prompt->is_array()) throw_wrong_type("prompt", "string or array", *prompt);
    if (prompt->empty()) throw invalid_request("Invalid 'prompt': empty array.", "prompt", "empty_array");
    const nlohmann::json& first = prompt->front();
    if (first.is_number_integer() || first.is_array()) {
        throw unsupported_value("Prompts given as token ids are not supported; send text.", "prompt");
    }
    if (!first.is_string()) throw_wrong_type("prompt[0]", "string", first);
    if (prompt->size() > 1) throw unsupported_value("Only one prompt per request is supported.", "prompt");
    return first.get<std::string>();
}

}  // namespace

GenerationRequest parse_openai_chat(std::string_view body_text, const ApiLimits& limits) {
    const nlohmann::json root = parse_json_object(body_text, limits);
    const FieldReader body(root, "");
    GenerationRequest request;
    request.kind = GenerationRequest::Kind::chat;
    request.messages = read_messages(body, limits);
    request.max_tokens = read_chat_max_tokens(body, limits);
    read_generation_fields(body, limits, request);
    read_chat_logprobs(body, request);
    read_response_format(body);
    refuse_unless_empty(body, "tools", "tool calling");
    refuse_unless_empty(body, "functions", "function calling");
    read_history_fields(body, request);
    return request;
}

GenerationRequest parse_openai_completion(std::string_view body_text, const ApiLimits& limits) {
    const nlohmann::json root = parse_json_object(body_text, limits);
    const FieldReader body(root, "");
    GenerationRequest request;
    request.kind = GenerationRequest::Kind::completion;
    request.prompt = read_prompt(body);
    check_content_bytes(request.prompt.size(), limits, "prompt");
    request.max_tokens = read_max_tokens(body, "max_tokens", limits);
    read_generation_fields(body, limits, request);
    // The legacy API's logprobs is a count of alternatives, not a flag.
    const std::optional<int64_t> top = body.integer("logprobs", {0, kMaxTopLogprobs});
    request.logprobs = top.has_value();
    request.top_logprobs = static_cast<int32_t>(top.value_or(0));
    refuse_count_above_one(body, "best_of", "candidate");
    if (body.boolean("echo").value_or(false)) {
        throw unsupported_value("Echoing the prompt is not supported by this server.", "echo");
    }
    if (!body.string("suffix").value_or("").empty()) {
        throw unsupported_value("A suffix (fill-in-the-middle) is not supported by this server.", "suffix");
    }
    return request;
}

}  // namespace hearth::server
