#include "app/cli/report.h"

#include "app/cli/common_options.h"

#include <algorithm>
#include <cstdio>

namespace hearth::cli {

void print_stats(const GenerationStats& s) {
    std::fprintf(stderr,
                 "\nprompt: %d tokens (%d evaluated) in %.2f s, %.1f tokens/s | generated: %d tokens, %.1f tokens/s | "
                 "time to first token: %.0f ms | finish: %s\n",
                 s.prompt_tokens, s.prompt_tokens_evaluated, s.prefill_seconds, s.prefill_tokens_per_second(),
                 s.generated_tokens, s.decode_tokens_per_second(), s.time_to_first_token_seconds * 1000.0,
                 to_string(s.finish));
}

SessionOptions session_options(const Args& args, const LoadedModel& loaded, int32_t wanted) {
    const int32_t trained = loaded.model().config().n_ctx_train;
    const int32_t requested = args.get_int("-c", std::max(4096, wanted));
    SessionOptions options;
    options.n_ctx = std::clamp(requested, 16, trained);
    options.kv_type = kv_type(args);
    return options;
}

}  // namespace hearth::cli
