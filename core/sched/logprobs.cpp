#include "core/sched/logprobs.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace hearth {

void fill_logprobs(std::span<const float> logits, int32_t top_n, GeneratedToken& token) {
    const float max_logit = *std::max_element(logits.begin(), logits.end());
    double sum = 0.0;
    for (float l : logits) sum += std::exp(static_cast<double>(l - max_logit));
    const double log_sum = std::log(sum);
    auto logprob = [&](int32_t id) { return static_cast<float>(static_cast<double>(logits[id] - max_logit) - log_sum); };
    token.logprob = logprob(token.token);

    const size_t n = std::min<size_t>(static_cast<size_t>(std::max(top_n, 0)), logits.size());
    std::vector<int32_t> ids(logits.size());
    std::iota(ids.begin(), ids.end(), 0);
    std::partial_sort(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(n), ids.end(),
                      [&](int32_t a, int32_t b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); });
    token.top_logprobs.clear();
    for (size_t i = 0; i < n; ++i) token.top_logprobs.push_back(TokenLogprob{ids[i], logprob(ids[i])});
}

}  // namespace hearth
