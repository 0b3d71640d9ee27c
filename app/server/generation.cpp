#include "app/server/generation.h"

#include <string>

namespace hearth::server {
namespace {

server::FinishReason api_finish(hearth::FinishReason reason) {
    switch (reason) {
        case hearth::FinishReason::length:
        case hearth::FinishReason::context_full: return server::FinishReason::length;
        case hearth::FinishReason::cancelled: return server::FinishReason::cancelled;
        default: return server::FinishReason::stop;
    }
}

}  // namespace

Request to_engine_request(const GenerationRequest& request, const LoadedModel& model, const PromptLimits& limits) {
    Request out;
    if (request.kind == GenerationRequest::Kind::chat) {
        out.prompt = model.chat_prompt(request.messages);
    } else {
        out.prompt = model.tokenizer().encode(request.prompt, {.add_special = true, .parse_special = false});
    }
    if (out.prompt.empty()) throw invalid_request("the prompt is empty", "prompt");
    const int32_t allowed = limits.max_prompt_tokens > 0 ? std::min(limits.max_prompt_tokens, limits.n_ctx - 1)
                                                         : limits.n_ctx - 1;
    if (static_cast<int64_t>(out.prompt.size()) > allowed)
        throw invalid_request("the prompt has " + std::to_string(out.prompt.size()) + " tokens; at most " +
                                  std::to_string(allowed) + " fit (context size " + std::to_string(limits.n_ctx) + ")",
                              request.kind == GenerationRequest::Kind::chat ? "messages" : "prompt",
                              "context_length_exceeded");
    out.options.max_tokens = request.max_tokens;
    out.options.sampling = request.sampling;
    out.options.stop = request.stop;
    out.top_logprobs = request.logprobs ? request.top_logprobs : -1;
    return out;
}

void ResultBuilder::add(const GeneratedToken& token) {
    text_ += token.text;
    if (!logprobs_) return;
    TokenLogprob entry{tokenizer_.token_to_piece(token.token), token.logprob, {}};
    for (const hearth::TokenLogprob& alt : token.top_logprobs)
        entry.top.push_back(TopLogprob{tokenizer_.token_to_piece(alt.token), alt.logprob});
    logprobs_all_.push_back(std::move(entry));
}

std::string ResultBuilder::take_text() {
    std::string piece = text_.substr(text_taken_);
    text_taken_ = text_.size();
    return piece;
}

std::vector<TokenLogprob> ResultBuilder::take_logprobs() {
    std::vector<TokenLogprob> fresh(logprobs_all_.begin() + static_cast<std::ptrdiff_t>(logprobs_taken_), logprobs_all_.end());
    logprobs_taken_ = logprobs_all_.size();
    return fresh;
}

GenerationSummary summarize(const RequestResult& result, double total_seconds) {
    if (result.finish == hearth::FinishReason::error)
        throw ApiError(ErrorKind::internal, {500, "server_error", "generation failed: " + result.error, "", ""});
    GenerationSummary summary;
    summary.finish = api_finish(result.finish);
    summary.prompt_tokens = result.prompt_tokens;
    summary.completion_tokens = result.generated_tokens;
    summary.timings.prefill_s = result.timing.time_to_first_token_seconds - result.timing.queue_seconds;
    summary.timings.decode_s = result.timing.decode_seconds;
    summary.timings.total_s = total_seconds;
    return summary;
}

}  // namespace hearth::server
