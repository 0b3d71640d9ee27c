#pragma once
// Turns one sequence's sampled tokens into streamed text and decides when generation is over:
// end-of-generation tokens, stop strings (never emitted), max_tokens. UTF-8 characters are never
// split. Shared by the single-session generator and the scheduler so both stop identically.
#include <cstdint>
#include <optional>
#include <string>

#include "core/sample/stop_strings.h"
#include "core/sched/request.h"
#include "core/tokenizer/detokenizer.h"

namespace hearth {

class TextTracker {
public:
    // The tokenizer must outlive the tracker.
    TextTracker(const tokenizer::Tokenizer& tokenizer, const GenerateOptions& options);

    // Records a sampled token; returns the text it made final. finished() is set when the token
    // ended the generation.
    std::string push(int32_t token);
    // Ends the generation for a reason found outside (context full, cancelled); returns the text
    // still held back, unless cancelled. Does nothing once finished.
    std::string finish(FinishReason reason);

    std::optional<FinishReason> finished() const { return finish_; }
    int32_t generated() const { return generated_; }

private:
    const tokenizer::Tokenizer& tokenizer_;
    int32_t max_tokens_;
    bool ignore_eos_;
    tokenizer::Detokenizer detokenizer_;
    StopStrings stops_;
    int32_t generated_ = 0;
    std::optional<FinishReason> finish_;
};

}  // namespace hearth
