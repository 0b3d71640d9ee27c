#pragma once
// OpenAI's two shapes of per-token log-probabilities.
#include <cstddef>
#include <span>

#include <nlohmann/json.hpp>

#include "app/server/api_response.h"

namespace hearth::server {

// Chat: {"content": [{token, logprob, bytes, top_logprobs: [{token, logprob, bytes}]}]}.
nlohmann::json chat_logprobs(std::span<const TokenLogprob> tokens);
// Legacy completions: {"tokens", "token_logprobs", "top_logprobs": [{token: logprob}],
// "text_offset"}; offsets count bytes and start at `first_offset`.
nlohmann::json legacy_logprobs(std::span<const TokenLogprob> tokens, std::size_t first_offset);

}  // namespace hearth::server
