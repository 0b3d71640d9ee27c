#pragma once
// One answer being generated: the engine thread streams tokens into a RequestStream, and the
// window's thread drains it without blocking once per frame.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/engine/engine.h"

namespace hearth::ui {

using Clock = std::chrono::steady_clock;

struct GenerationProgress {
    int32_t prompt_tokens = 0;
    int32_t generated_tokens = 0;
    std::optional<double> time_to_first_token_seconds;  // once the first token arrived
    double tokens_per_second = 0.0;  // decode speed so far: tokens after the first over the time since it
    double elapsed_seconds = 0.0;
};

class ActiveGeneration {
public:
    // Submits the request; Error(bad_request) from the engine when it is invalid.
    ActiveGeneration(Engine& engine, Request request);

    // Takes every token that has arrived; true when the text changed. Never blocks.
    bool poll();
    // The request ended and every token was taken.
    bool done() const { return done_; }
    // Asks the engine to stop; the request then ends as cancelled.
    void stop();

    const std::string& text() const { return text_; }
    GenerationProgress progress() const;
    RequestResult result() const { return stream_->result(); }  // once done()

private:
    Engine& engine_;
    std::shared_ptr<RequestStream> stream_;
    int32_t prompt_tokens_ = 0;
    std::string text_;
    int32_t tokens_ = 0;
    Clock::time_point submitted_;
    Clock::time_point first_token_;
    Clock::time_point last_token_;
    bool done_ = false;
};

}  // namespace hearth::ui
