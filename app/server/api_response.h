#pragma once
// Engine results turned into OpenAI and Ollama response bodies, whole or streamed. The builders
// are pure: the caller supplies ids and times, so equal inputs give equal bytes. Serialize with
// json_text / sse_event / ndjson_line (json_text.h), which survive invalid UTF-8 in model text.
//
// Finish reasons: stop (end of sequence or a stop string), length (max_tokens or the context),
// cancelled. Neither API has a word for cancelled; both report it as "stop" (a client that
// still listens did not cancel, so the text it got simply ended there).
// Log-probabilities that are not finite (-inf for a masked token) are written as -9999.0, as
// OpenAI does, since JSON has no infinity.
// A stream that fails after its headers were sent ends with sse_event(openai_error_body(e)) or
// ndjson_line(ollama_error_body(e)) (api_error.h).
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/server/api_request.h"

namespace hearth::server {

enum class FinishReason { stop, length, cancelled };
std::string_view finish_reason_name(FinishReason reason);

struct TopLogprob {
    std::string token;  // the token's bytes (possibly part of a UTF-8 character)
    float logprob = 0.0f;
};

struct TokenLogprob {
    std::string token;
    float logprob = 0.0f;
    std::vector<TopLogprob> top;  // most likely first, request.top_logprobs of them
};

struct Timings {
    double load_s = 0, prefill_s = 0, decode_s = 0, total_s = 0;
};

struct GenerationSummary {
    FinishReason finish = FinishReason::stop;
    int32_t prompt_tokens = 0, completion_tokens = 0;
    Timings timings;  // reported by Ollama's responses only
};

struct CompletionResult {
    std::string text;
    GenerationSummary summary;
    std::optional<std::vector<TokenLogprob>> logprobs;  // set when the request asked for them
};

struct ResponseMeta {
    std::string id;  // OpenAI's response id, e.g. "chatcmpl-7f3a"; unique per response
    std::string model;
    std::chrono::system_clock::time_point created;
};

// --- OpenAI ---------------------------------------------------------------------------------

// {"prompt_tokens", "completion_tokens", "total_tokens"}.
nlohmann::json openai_usage(const GenerationSummary& summary);
// chat.completion: one choice with message {role: assistant, content}, logprobs {content: [...]}.
nlohmann::json openai_chat_completion(const ResponseMeta& meta, const CompletionResult& result);
// text_completion: one choice with text, legacy logprobs {tokens, token_logprobs, top_logprobs,
// text_offset}; text_offset counts bytes from the start of the generated text.
nlohmann::json openai_text_completion(const ResponseMeta& meta, const CompletionResult& result);

// The SSE events of one streamed response (chat.completion.chunk or text_completion chunks).
class OpenAiStream {
public:
    // Takes kind, include_usage and logprobs from the request.
    OpenAiStream(ResponseMeta meta, const GenerationRequest& request);

    // Chat: the first chunk, delta {role: assistant, content: ""}. Text completions: "".
    std::string begin() const;
    // A chunk with the next piece of text and, when the request asked, its tokens' logprobs.
    std::string text(std::string_view piece, std::span<const TokenLogprob> logprobs = {});
    // The chunk carrying finish_reason, the usage chunk (choices: []) when include_usage, then [DONE].
    std::string end(const GenerationSummary& summary) const;

private:
    nlohmann::json chunk(nlohmann::json choice) const;

    ResponseMeta meta_;
    GenerationRequest::Kind kind_;
    bool include_usage_;
    bool logprobs_;
    std::size_t text_offset_ = 0;  // bytes streamed so far, for legacy text_offset
};

// /v1/models: {"object": "list", "data": [{id, object: "model", created, owned_by}]}.
struct ModelInfo {
    std::string name;  // the name clients use in "model"
    uint64_t size_bytes = 0;
    std::string digest;  // hex SHA-256 of the file; "" when not computed
    std::chrono::system_clock::time_point modified;
    std::string family;              // GGUF general.architecture: "llama", "qwen2"
    std::string parameter_size;      // "7.6B"
    std::string quantization_level;  // "Q4_K_M"
};
nlohmann::json openai_models(std::span<const ModelInfo> models);

// --- Ollama ---------------------------------------------------------------------------------

enum class OllamaEndpoint { chat, generate };

// The one object of a non-streamed /api/chat (message) or /api/generate (response), done: true,
// with done_reason and the counts and durations (nanoseconds).
nlohmann::json ollama_response(OllamaEndpoint endpoint, const ResponseMeta& meta, const CompletionResult& result);
// The answer to a load_only request: empty text, done: true, done_reason "load".
nlohmann::json ollama_load_response(OllamaEndpoint endpoint, const ResponseMeta& meta);

// The NDJSON lines of one streamed Ollama response. Every line carries meta.created.
class OllamaStream {
public:
    OllamaStream(OllamaEndpoint endpoint, ResponseMeta meta);
    std::string text(std::string_view piece) const;           // done: false
    std::string end(const GenerationSummary& summary) const;  // empty text, done: true, the stats

private:
    OllamaEndpoint endpoint_;
    ResponseMeta meta_;
};

// /api/tags: {"models": [{name, model, modified_at, size, digest, details: {...}}]}.
nlohmann::json ollama_tags(std::span<const ModelInfo> models);
// /api/version: {"version": "..."}.
nlohmann::json ollama_version(std::string_view version);

// Go's RFC3339Nano in UTC, as Ollama writes times: "2024-05-01T12:34:56.1234Z" (trailing zeros
// of the fraction dropped, no fraction for a whole second).
std::string rfc3339_utc(std::chrono::system_clock::time_point time);

// --- Tokens ---------------------------------------------------------------------------------

nlohmann::json tokenize_response(std::span<const int32_t> tokens);  // {"tokens": [...]}
nlohmann::json detokenize_response(std::string_view content);       // {"content": "..."}

}  // namespace hearth::server
