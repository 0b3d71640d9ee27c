#pragma once
// Perplexity the way llama.cpp's perplexity tool computes it by default: the token stream is cut
// into chunks of n_ctx tokens, each chunk is evaluated from an empty context (its first token
// replaced by BOS when the vocabulary adds one), and only the second half of each chunk is scored.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "models/model.h"

namespace hearth {

struct PerplexityOptions {
    int32_t n_ctx = 512;
    int32_t n_batch = 512;
    std::optional<int32_t> bos;  // set when the vocabulary adds BOS
    int32_t max_chunks = 0;      // 0: every full chunk of the text (llama.cpp's --chunks)
    DType kv_type = DType::F16;
};

struct PerplexityResult {
    double perplexity = 0.0;
    std::vector<double> chunk_estimates;  // running estimate after each chunk, as llama.cpp prints
    int64_t tokens_scored = 0;
};

// Called after each chunk with (chunk index, running estimate).
using PerplexityProgress = std::function<void(int32_t, double)>;

// Throws Error(bad_request) when there are fewer than 2 * n_ctx tokens.
PerplexityResult compute_perplexity(Model& model, std::span<const int32_t> tokens, const PerplexityOptions& options,
                                    const PerplexityProgress& progress = {});

}  // namespace hearth
