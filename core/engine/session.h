#pragma once
// One sequence on a model with KV pages of its own (enough for n_ctx positions): for the CLI,
// perplexity and benchmarks, where one caller owns the model. Serving many requests goes
// through the Engine and its scheduler instead. Feeding tokens runs the model in batches and
// returns the logits the caller asked for.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/kv/kv_cache.h"
#include "models/model.h"

namespace hearth {

enum class LogitsWanted { last, all };

struct SessionOptions {
    int32_t n_ctx = 4096;   // positions the KV cache holds
    int32_t n_batch = 512;  // tokens per forward pass during prefill
    int32_t page_size = 16; // KV positions per page
    DType kv_type = DType::F16;  // or Q8_0: half the memory, slightly different numbers
};

class Session {
public:
    Session(Model& model, const SessionOptions& options);

    // Appends tokens at the next positions. Returns the logits of the last token (n_vocab floats)
    // or of every token (tokens.size() x n_vocab), valid until the next call.
    // Throws Error(bad_request) when the context would overflow; nothing is appended then.
    std::span<const float> feed(std::span<const int32_t> tokens, LogitsWanted wanted = LogitsWanted::last);

    int32_t n_past() const { return kv_.length(sequence_); }
    int32_t n_ctx() const { return options_.n_ctx; }
    // The tokens whose keys and values the cache holds, in position order.
    std::span<const int32_t> tokens() const { return kv_.tokens(sequence_); }
    // Forgets everything from position n on (their cache entries are overwritten later), so a new
    // prompt sharing a prefix with the history only evaluates what differs.
    void rewind(int32_t n);
    void reset() { rewind(0); }
    Model& model() const { return model_; }

private:
    Model& model_;
    SessionOptions options_;
    std::unique_ptr<KvPages> pages_;
    KvCache kv_;
    SeqId sequence_;
    std::vector<float> logits_;
};

}  // namespace hearth
