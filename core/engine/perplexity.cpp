#include "core/engine/perplexity.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/engine/session.h"
#include "core/error.h"

namespace hearth {
namespace {

// -log p(target) from one row of logits, in double like llama.cpp.
double negative_log_likelihood(std::span<const float> logits, int32_t target) {
    const float max_logit = *std::max_element(logits.begin(), logits.end());
    double sum_exp = 0.0;
    for (float l : logits) sum_exp += std::exp(static_cast<double>(l - max_logit));
    return -(static_cast<double>(logits[target] - max_logit) - std::log(sum_exp));
}

}  // namespace

PerplexityResult compute_perplexity(Model& model, std::span<const int32_t> tokens, const PerplexityOptions& options,
                                    const PerplexityProgress& progress) {
    const int64_t n_ctx = options.n_ctx;
    require(n_ctx >= 4, ErrorKind::bad_request, "perplexity context must be at least 4 tokens");
    require(static_cast<int64_t>(tokens.size()) >= 2 * n_ctx, ErrorKind::bad_request,
            "perplexity needs at least " + std::to_string(2 * n_ctx) + " tokens for a context of " +
                std::to_string(n_ctx) + "; the text has " + std::to_string(tokens.size()));
    int64_t n_chunks = static_cast<int64_t>(tokens.size()) / n_ctx;
    if (options.max_chunks > 0) n_chunks = std::min<int64_t>(n_chunks, options.max_chunks);
    const size_t n_vocab = static_cast<size_t>(model.config().n_vocab);
    Session session(model, SessionOptions{options.n_ctx, options.n_batch, 16, options.kv_type});

    PerplexityResult result;
    double nll = 0.0;
    std::vector<int32_t> chunk(n_ctx);
    for (int64_t c = 0; c < n_chunks; ++c) {
        std::copy_n(tokens.begin() + c * n_ctx, n_ctx, chunk.begin());
        if (options.bos) chunk[0] = *options.bos;
        session.reset();
        const std::span<const float> logits = session.feed(chunk, LogitsWanted::all);
        for (int64_t j = n_ctx / 2; j < n_ctx - 1; ++j) {
            const int32_t target = tokens[c * n_ctx + j + 1];
            nll += negative_log_likelihood(logits.subspan(j * n_vocab, n_vocab), target);
            ++result.tokens_scored;
        }
        result.chunk_estimates.push_back(std::exp(nll / static_cast<double>(result.tokens_scored)));
        if (progress) progress(static_cast<int32_t>(c), result.chunk_estimates.back());
    }
    result.perplexity = result.chunk_estimates.back();
    return result;
}

}  // namespace hearth
