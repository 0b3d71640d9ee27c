#pragma once
// Repetition penalties: the recent-token window they look at, and how they change logits.
#include <cstdint>
#include <span>
#include <vector>

#include "core/sample/candidates.h"
#include "core/sample/sampling_params.h"

namespace hearth {

// The last `capacity` accepted tokens (every one when capacity is -1, none when 0), with a
// count per token and the list of distinct tokens, so applying penalties costs O(distinct).
class TokenWindow {
public:
    TokenWindow(int32_t n_vocab, int32_t capacity);

    void push(int32_t token);  // token must be in [0, n_vocab)
    void clear();

    std::span<const int32_t> distinct() const { return distinct_; }
    int32_t count(int32_t token) const { return counts_[static_cast<std::size_t>(token)]; }

private:
    void add(int32_t token);
    void remove(int32_t token);

    int32_t capacity_;
    std::vector<int32_t> ring_;  // the window, oldest at next_slot_ once full (capacity > 0 only)
    std::size_t next_slot_ = 0;
    std::vector<int32_t> counts_;          // per token
    std::vector<int32_t> distinct_;        // tokens with count > 0
    std::vector<int32_t> distinct_index_;  // per token: its place in distinct_
};

namespace sampling {

// For every token in the window (llama.cpp's order): the repeat penalty divides a positive logit
// and multiplies a negative one; then OpenAI's logit -= count * frequency + presence.
// `by_token[t]` must be token t's candidate.
void apply_penalties(std::span<Candidate> by_token, const TokenWindow& window, const SamplingParams& params);

}  // namespace sampling
}  // namespace hearth
