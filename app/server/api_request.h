#pragma once
// HTTP request bodies turned into validated internal requests. Every parser checks the whole
// body (size, JSON syntax, each field's type and range, required fields, ApiLimits) and throws
// ApiError (api_error.h) on the first problem; it never accepts a value it would then ignore or
// misread: parameters Hearth cannot honour (n > 1, JSON mode, tools, logit_bias, images) are
// refused with code unsupported_value. Fields no parser knows are ignored, as OpenAI does.
//
// Dialect notes:
// - Sampling defaults are SamplingParams' own for both dialects (not OpenAI's temperature 1).
//   Accepted ranges: temperature [0, 2], top_p and min_p [0, 1], top_k >= 0, presence and
//   frequency penalties [-2, 2], repeat_penalty [0.01, 100], repeat_last_n >= -1, seed >= 0 or
//   -1 (random).
// - OpenAI "developer" messages are system messages (OpenAI's newer name for them); text parts
//   of an array content are joined with "\n".
// - Ollama: stream defaults to true; an empty prompt / no messages only loads the model
//   (load_only); num_predict -1 or -2 means "no limit" (ApiLimits::max_tokens_cap); unknown
//   options (num_ctx, num_gpu, ...) and keep_alive are ignored, as Ollama does.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/server/api_error.h"
#include "app/server/api_limits.h"
#include "core/chat/chat_template.h"
#include "core/sample/sampling_params.h"

namespace hearth::server {

struct GenerationRequest {
    // chat: `messages` are rendered with the model's chat template; completion: `prompt` is
    // tokenized as it is (OpenAI /v1/completions, Ollama raw generate).
    enum class Kind { chat, completion };

    Kind kind = Kind::chat;
    std::string model;  // "" when the client named none: the server's default model
    std::vector<ChatMessage> messages;
    std::string prompt;
    int32_t max_tokens = 0;  // 1..ApiLimits::max_tokens_cap; the cap when the client named none
    SamplingParams sampling;
    std::vector<std::string> stop;  // non-empty strings, none longer than ApiLimits::max_stop_bytes
    bool stream = false;
    bool include_usage = false;  // OpenAI stream_options.include_usage: a usage chunk ends the stream
    bool logprobs = false;       // report the log-probability of each generated token
    int32_t top_logprobs = 0;    // and of this many alternatives (0..kMaxTopLogprobs)
    bool store = false;          // keep the exchange in the history store (chat only)
    std::optional<int64_t> conversation_id;  // append it to this stored conversation (implies store)
    bool load_only = false;      // Ollama: nothing to generate, only load the model
};

// POST /v1/chat/completions.
GenerationRequest parse_openai_chat(std::string_view body, const ApiLimits& limits = {});
// POST /v1/completions: prompt is a string or an array of one string.
GenerationRequest parse_openai_completion(std::string_view body, const ApiLimits& limits = {});
// POST /api/chat.
GenerationRequest parse_ollama_chat(std::string_view body, const ApiLimits& limits = {});
// POST /api/generate: system + prompt become a chat unless raw is true (raw refuses system).
GenerationRequest parse_ollama_generate(std::string_view body, const ApiLimits& limits = {});

struct TokenizeRequest {
    std::string content;
    bool add_special = false;  // add the model's BOS/EOS as it would for a prompt
};

struct DetokenizeRequest {
    std::vector<int32_t> tokens;  // non-negative; the engine checks them against the vocabulary
};

// POST /tokenize {"content": "...", "add_special": bool}.
TokenizeRequest parse_tokenize(std::string_view body, const ApiLimits& limits = {});
// POST /detokenize {"tokens": [ints]}.
DetokenizeRequest parse_detokenize(std::string_view body, const ApiLimits& limits = {});

}  // namespace hearth::server
