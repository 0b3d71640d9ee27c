#pragma once
// What a caller asks of the engine for one generation, and what it gets back: streamed tokens
// (with text made final by each, and log-probabilities when asked) and a result with timings.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/sample/sampling_params.h"

namespace hearth {

enum class FinishReason { length, stop, end_of_generation, context_full, cancelled, error };
const char* to_string(FinishReason reason);

struct GenerateOptions {
    int32_t max_tokens = 256;
    SamplingParams sampling;
    std::vector<std::string> stop;  // stop strings; the matched one is not emitted
    bool ignore_eos = false;        // keep going past end-of-generation tokens
};

// What happens when a sequence reaches the context size: stop (finish = context_full), or drop
// the older half of the tokens after the first n_keep and carry on (recomputed from the rest).
enum class ContextOverflow { finish, shift };

using RequestId = int64_t;

struct TokenLogprob {
    int32_t token = 0;
    float logprob = 0.0f;  // natural log of the model's probability (softmax of the raw logits)
};

struct GeneratedToken {
    int32_t token = 0;
    std::string text;  // the text this token made final (may be empty, or span earlier tokens)
    float logprob = 0.0f;                    // set when the request asked for log-probabilities
    std::vector<TokenLogprob> top_logprobs;  // the most likely alternatives, most likely first
};

struct RequestTiming {
    double queue_seconds = 0.0;               // submitted until first scheduled
    double time_to_first_token_seconds = 0.0; // submitted until the first token
    double decode_seconds = 0.0;              // first token until the last
    int32_t preemptions = 0;                  // times its KV pages were taken back and recomputed
};

struct RequestResult {
    FinishReason finish = FinishReason::length;
    std::string error;  // for FinishReason::error: what went wrong
    int32_t prompt_tokens = 0;
    int32_t prompt_tokens_cached = 0;  // taken from the prefix cache instead of computed
    int32_t generated_tokens = 0;
    uint64_t seed = 0;  // the sampler's seed, so a random run can be repeated
    RequestTiming timing;
};

struct Request {
    std::vector<int32_t> prompt;
    GenerateOptions options;
    int32_t priority = 0;  // higher is scheduled first and preempted last
    ContextOverflow on_overflow = ContextOverflow::finish;
    int32_t n_keep = 0;        // tokens a context shift never drops
    int32_t top_logprobs = -1; // -1: no log-probabilities; 0..20: the sampled token's and this many alternatives
    // Called on the engine thread: keep them short and never block in them.
    std::function<void(const GeneratedToken&)> on_token;
    std::function<void(const RequestResult&)> on_finish;
};

}  // namespace hearth
