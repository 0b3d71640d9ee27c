#pragma once
// The bridge between API requests and the engine: renders and tokenizes the prompt (refusing one
// the context cannot hold, never truncating it), maps sampling and stop settings, and turns the
// engine's streamed tokens back into text, log-probabilities and a summary for the responses.
#include <cstdint>
#include <string>
#include <vector>

#include "app/server/api_request.h"
#include "app/server/api_response.h"
#include "core/engine/loaded_model.h"
#include "core/sched/request.h"

namespace hearth::server {

struct PromptLimits {
    int32_t n_ctx = 0;              // the engine's context per sequence
    int32_t max_prompt_tokens = 0;  // 0: n_ctx - 1
};

// Throws ApiError 400 (code context_length_exceeded) for a prompt that does not fit.
Request to_engine_request(const GenerationRequest& request, const LoadedModel& model, const PromptLimits& limits);

// Collects one request's tokens as they stream in.
class ResultBuilder {
public:
    ResultBuilder(const tokenizer::Tokenizer& tokenizer, bool logprobs) : tokenizer_(tokenizer), logprobs_(logprobs) {}
    void add(const GeneratedToken& token);
    // What arrived since the last take (for a streamed chunk).
    std::string take_text();
    std::vector<TokenLogprob> take_logprobs();
    const std::string& text() const { return text_; }

private:
    const tokenizer::Tokenizer& tokenizer_;
    bool logprobs_;
    std::string text_;
    std::vector<TokenLogprob> logprobs_all_;
    size_t text_taken_ = 0;
    size_t logprobs_taken_ = 0;
};

// The counts and times of a finished request; ApiError 500 when it ended in an engine error.
GenerationSummary summarize(const RequestResult& result, double total_seconds);

}  // namespace hearth::server
