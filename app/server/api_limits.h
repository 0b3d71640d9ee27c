#pragma once
// Bounds on what one HTTP request may ask for, so that a hostile or careless client cannot
// exhaust memory, the stack or the engine's time. The server may tighten or widen them.
#include <cstddef>
#include <cstdint>

namespace hearth::server {

struct ApiLimits {
    std::size_t max_body_bytes = std::size_t{8} << 20;
    std::size_t max_json_depth = 64;  // nested arrays/objects; requests need about 4
    std::size_t max_messages = 4096;
    std::size_t max_content_bytes = std::size_t{4} << 20;  // all message texts, or the prompt
    // Largest max_tokens accepted; also the value when a request names none (the engine stops
    // earlier when the context is full).
    int32_t max_tokens_cap = 32768;
    std::size_t max_stop_strings = 16;
    std::size_t max_stop_bytes = 512;  // per stop string
    std::size_t max_detokenize_tokens = std::size_t{1} << 20;
};

// OpenAI's bound on top_logprobs (alternatives per generated token).
inline constexpr int32_t kMaxTopLogprobs = 20;

}  // namespace hearth::server
