#pragma once
// Log-probabilities as OpenAI reports them: the log-softmax of the model's raw logits (before
// temperature, penalties or truncation), for the chosen token and the most likely alternatives.
#include <cstdint>
#include <span>

#include "core/sched/request.h"

namespace hearth {

// Fills token.logprob and token.top_logprobs (top_n of them, most likely first, lowest id first
// on ties) from one row of logits.
void fill_logprobs(std::span<const float> logits, int32_t top_n, GeneratedToken& token);

}  // namespace hearth
