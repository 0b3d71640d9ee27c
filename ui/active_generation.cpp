#include "ui/active_generation.h"

namespace hearth::ui {
namespace {

constexpr double kMinRateSeconds = 0.1;  // a speed from a shorter span says little

double seconds_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double>(to - from).count();
}

}  // namespace

ActiveGeneration::ActiveGeneration(Engine& engine, Request request)
    : engine_(engine), prompt_tokens_(static_cast<int32_t>(request.prompt.size())), submitted_(Clock::now()) {
    stream_ = engine_.submit(std::move(request));
}

bool ActiveGeneration::poll() {
    if (done_) return false;
    // Tokens are queued before the stream closes, so once it is closed draining takes them all.
    const bool closed = stream_->finished();
    bool changed = false;
    while (auto token = stream_->next_for(std::chrono::milliseconds(0))) {
        const Clock::time_point now = Clock::now();
        if (tokens_ == 0) first_token_ = now;
        last_token_ = now;
        ++tokens_;
        if (!token->text.empty()) {
            text_ += token->text;
            changed = true;
        }
    }
    done_ = closed;
    return changed;
}

void ActiveGeneration::stop() {
    if (!done_) engine_.cancel(stream_->id());
}

GenerationProgress ActiveGeneration::progress() const {
    GenerationProgress p;
    p.prompt_tokens = prompt_tokens_;
    p.generated_tokens = tokens_;
    p.elapsed_seconds = seconds_between(submitted_, Clock::now());
    if (tokens_ > 0) p.time_to_first_token_seconds = seconds_between(submitted_, first_token_);
    // Up to now rather than to the last token: tokens drained together in one frame would
    // otherwise make the first estimate explode.
    const double decode_seconds = seconds_between(first_token_, Clock::now());
    if (tokens_ > 1 && decode_seconds >= kMinRateSeconds) p.tokens_per_second = (tokens_ - 1) / decode_seconds;
    return p;
}

}  // namespace hearth::ui
