#include "core/sched/text_tracker.h"

#include "core/error.h"

namespace hearth {

const char* to_string(FinishReason reason) {
    switch (reason) {
        case FinishReason::length: return "length";
        case FinishReason::stop: return "stop";
        case FinishReason::end_of_generation: return "end_of_generation";
        case FinishReason::context_full: return "context_full";
        case FinishReason::cancelled: return "cancelled";
        case FinishReason::error: return "error";
    }
    return "unknown";
}

TextTracker::TextTracker(const tokenizer::Tokenizer& tokenizer, const GenerateOptions& options)
    : tokenizer_(tokenizer),
      max_tokens_(options.max_tokens),
      ignore_eos_(options.ignore_eos),
      detokenizer_(tokenizer),
      stops_(options.stop) {
    require(options.max_tokens >= 0, ErrorKind::bad_request, "max_tokens must not be negative");
}

std::string TextTracker::push(int32_t token) {
    require(!finish_, ErrorKind::internal, "token pushed after the generation finished");
    ++generated_;
    if (!ignore_eos_ && tokenizer_.is_end_of_generation(token)) return finish(FinishReason::end_of_generation);
    StopStrings::Step step = stops_.push(detokenizer_.push(token));
    if (step.stop) {
        finish_ = FinishReason::stop;
        return std::move(step.text);
    }
    if (generated_ >= max_tokens_) return step.text + finish(FinishReason::length);
    return std::move(step.text);
}

std::string TextTracker::finish(FinishReason reason) {
    if (finish_) return {};
    finish_ = reason;
    if (reason == FinishReason::cancelled || reason == FinishReason::error) return {};
    const StopStrings::Step tail = stops_.push(detokenizer_.flush());
    if (tail.stop) finish_ = FinishReason::stop;
    return tail.text + stops_.finish();
}

}  // namespace hearth
