// libFuzzer target for the HTTP API's request parsers. Every body goes to every parser; each
// must accept it or throw ApiError: any other exception, a crash or a sanitizer report is a
// finding. An accepted request must also hold the limits it was parsed under, and text taken
// from the input (valid UTF-8 or not) must come out of the response builders as parseable JSON
// on a single line.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "app/server/api_request.h"
#include "app/server/api_response.h"
#include "app/server/json_text.h"

using namespace hearth;
using namespace hearth::server;

namespace {

void require(bool condition) {
    if (!condition) __builtin_trap();
}

// Small limits, so that short inputs reach every limit check.
ApiLimits fuzz_limits() {
    ApiLimits limits;
    limits.max_body_bytes = 8192;
    limits.max_json_depth = 12;
    limits.max_messages = 6;
    limits.max_content_bytes = 512;
    limits.max_tokens_cap = 4096;
    limits.max_stop_strings = 4;
    limits.max_stop_bytes = 16;
    limits.max_detokenize_tokens = 64;
    return limits;
}

bool known_role(const std::string& role) {
    return role == "system" || role == "user" || role == "assistant" || role == "tool";
}

void check_request(const GenerationRequest& request, const ApiLimits& limits) {
    require(request.max_tokens >= 1 && request.max_tokens <= limits.max_tokens_cap);
    require(request.stop.size() <= limits.max_stop_strings);
    for (const std::string& stop : request.stop) require(!stop.empty() && stop.size() <= limits.max_stop_bytes);
    require(request.messages.size() <= limits.max_messages);
    std::size_t content_bytes = request.prompt.size();
    for (const ChatMessage& message : request.messages) {
        require(known_role(message.role));
        content_bytes += message.content.size();
    }
    require(content_bytes <= limits.max_content_bytes);
    require(request.kind == GenerationRequest::Kind::chat || request.messages.empty());
    require(request.top_logprobs >= 0 && request.top_logprobs <= kMaxTopLogprobs);
    require(request.top_logprobs == 0 || request.logprobs);
    require(!request.conversation_id || (request.store && *request.conversation_id > 0));
    require(!request.include_usage || request.stream);
    request.sampling.validate();  // a throw here escapes and is reported
}

// Builds a chat response and a stream chunk around `text` and reads both back.
void check_response_text(std::string_view text) {
    const ResponseMeta meta{"chatcmpl-fuzz", std::string(text.substr(0, 16)), {}};
    CompletionResult result;
    result.text = std::string(text);
    result.logprobs = std::vector<TokenLogprob>{{std::string(text.substr(0, 4)), -1.0f, {{std::string(text), 0.0f}}}};
    const std::string body = json_text(openai_chat_completion(meta, result));
    require(nlohmann::json::parse(body)["choices"][0]["message"]["content"].is_string());

    OpenAiStream stream(meta, GenerationRequest{});
    const std::string event = stream.text(text);
    require(event.find("\n\n") == event.size() - 2);
    require(nlohmann::json::parse(event.substr(6))["object"] == "chat.completion.chunk");

    const std::string line = OllamaStream(OllamaEndpoint::generate, meta).text(text);
    require(line.find('\n') == line.size() - 1);
    require(nlohmann::json::parse(line)["done"] == false);
}

template <typename Parse>
void try_generation_parser(Parse parse, std::string_view body, const ApiLimits& limits) {
    try {
        const GenerationRequest request = parse(body, limits);
        check_request(request, limits);
        for (const ChatMessage& message : request.messages) check_response_text(message.content);
    } catch (const ApiError&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    const ApiLimits limits = fuzz_limits();
    try_generation_parser(parse_openai_chat, body, limits);
    try_generation_parser(parse_openai_completion, body, limits);
    try_generation_parser(parse_ollama_chat, body, limits);
    try_generation_parser(parse_ollama_generate, body, limits);
    try {
        const TokenizeRequest request = parse_tokenize(body, limits);
        require(request.content.size() <= limits.max_content_bytes);
    } catch (const ApiError&) {
    }
    try {
        const DetokenizeRequest request = parse_detokenize(body, limits);
        require(request.tokens.size() <= limits.max_detokenize_tokens);
        for (const int32_t token : request.tokens) require(token >= 0);
    } catch (const ApiError&) {
    }
    check_response_text(body.substr(0, 256));
    return 0;
}
