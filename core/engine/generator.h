#pragma once
// Generation for one sequence: evaluates the prompt (reusing whatever prefix the session already
// holds), then samples token by token, streaming complete UTF-8 text through a callback until a
// stop condition. For one caller owning a Session (the CLI); servers use the Engine.
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/engine/session.h"
#include "core/sched/request.h"
#include "core/tokenizer/tokenizer.h"

namespace hearth {

struct GenerationStats {
    int32_t prompt_tokens = 0;
    int32_t prompt_tokens_evaluated = 0;  // the rest came from the session's cache
    int32_t generated_tokens = 0;
    double prefill_seconds = 0.0;
    double time_to_first_token_seconds = 0.0;
    double decode_seconds = 0.0;  // from the first token to the last
    FinishReason finish = FinishReason::length;
    uint64_t seed = 0;  // the sampler's seed, so a random run can be repeated
    double prefill_tokens_per_second() const;
    double decode_tokens_per_second() const;
};

// Receives text as it becomes final; return false to stop (finish = cancelled).
using TextCallback = std::function<bool(std::string_view)>;

GenerationStats generate(Session& session, const tokenizer::Tokenizer& tokenizer, std::span<const int32_t> prompt,
                         const GenerateOptions& options, const TextCallback& on_text);

}  // namespace hearth
