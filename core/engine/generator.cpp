#include "core/engine/generator.h"

#include <algorithm>
#include <chrono>

#include "core/error.h"
#include "core/sample/sampler.h"
#include "core/sched/text_tracker.h"

namespace hearth {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// Evaluates the part of the prompt the session does not already hold; returns its last logits.
std::span<const float> evaluate_prompt(Session& session, std::span<const int32_t> prompt, GenerationStats& stats) {
    const auto history = session.tokens();
    size_t common = std::mismatch(history.begin(), history.end(), prompt.begin(), prompt.end()).first - history.begin();
    common = std::min(common, prompt.size() - 1);  // the last prompt token is always evaluated for its logits
    session.rewind(static_cast<int32_t>(common));
    stats.prompt_tokens_evaluated = static_cast<int32_t>(prompt.size() - common);
    return session.feed(prompt.subspan(common));
}

}  // namespace

double GenerationStats::prefill_tokens_per_second() const {
    return prefill_seconds > 0 ? prompt_tokens_evaluated / prefill_seconds : 0.0;
}

double GenerationStats::decode_tokens_per_second() const {
    return decode_seconds > 0 && generated_tokens > 1 ? (generated_tokens - 1) / decode_seconds : 0.0;
}

GenerationStats generate(Session& session, const tokenizer::Tokenizer& tokenizer, std::span<const int32_t> prompt,
                         const GenerateOptions& options, const TextCallback& on_text) {
    require(!prompt.empty(), ErrorKind::bad_request, "the prompt is empty");
    require(options.max_tokens >= 0, ErrorKind::bad_request, "max_tokens must not be negative");
    require(static_cast<int32_t>(prompt.size()) < session.n_ctx(), ErrorKind::bad_request,
            "the prompt has " + std::to_string(prompt.size()) + " tokens; the context holds " +
                std::to_string(session.n_ctx()));
    GenerationStats stats;
    stats.prompt_tokens = static_cast<int32_t>(prompt.size());
    Sampler sampler(options.sampling, tokenizer.n_vocab());
    stats.seed = sampler.seed();
    for (int32_t token : prompt) sampler.accept(token);
    TextTracker text(tokenizer, options);

    const auto start = Clock::now();
    std::span<const float> logits = evaluate_prompt(session, prompt, stats);
    stats.prefill_seconds = seconds_since(start);
    Clock::time_point first_token_at;
    auto emit = [&](const std::string& piece) { return piece.empty() || on_text(piece); };

    if (options.max_tokens == 0) emit(text.finish(FinishReason::length));
    while (!text.finished()) {
        const int32_t token = sampler.sample(logits);
        sampler.accept(token);
        if (text.generated() == 0) {
            first_token_at = Clock::now();
            stats.time_to_first_token_seconds = seconds_since(start);
        }
        if (!emit(text.push(token))) {
            text.finish(FinishReason::cancelled);
            break;
        }
        if (text.finished()) break;
        if (session.n_past() >= session.n_ctx()) {
            emit(text.finish(FinishReason::context_full));
            break;
        }
        logits = session.feed(std::span<const int32_t>(&token, 1));
    }
    stats.generated_tokens = text.generated();
    stats.finish = *text.finished();
    if (stats.generated_tokens > 0) stats.decode_seconds = seconds_since(first_token_at);
    return stats;
}

}  // namespace hearth
