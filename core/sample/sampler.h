#pragma once
// Picks the next token from a row of logits, one Sampler per sequence. The chain follows
// llama.cpp's common sampler: penalties, top-k, top-p, min-p, temperature, seeded draw.
// Same seed + same accepted tokens + same logits give the same tokens on every platform.
#include <cstdint>
#include <span>
#include <vector>

#include "core/sample/candidates.h"
#include "core/sample/penalties.h"
#include "core/sample/rng.h"
#include "core/sample/sampling_params.h"

namespace hearth {

class Sampler {
public:
    // Validates params (Error bad_request) and n_vocab > 0; allocates every buffer it needs.
    Sampler(const SamplingParams& params, int32_t n_vocab);

    // The next token. logits.size() must be n_vocab; a NaN or +inf logit, or all -inf, throws
    // Error(internal). Does not record the token: call accept() for it.
    int32_t sample(std::span<const float> logits);

    // The distribution sample() would draw from (for speculative verification): the surviving
    // candidates with their final probabilities. Valid until the next call on this sampler.
    std::span<const Candidate> distribution(std::span<const float> logits);

    // Records a prompt or generated token for the penalty window; throws bad_request if out of range.
    void accept(int32_t token);

    // Forgets accepted tokens and restarts the random stream from seed().
    void reset();

    const SamplingParams& params() const { return params_; }
    uint64_t seed() const { return seed_; }  // the seed in use, drawn here if params.seed was kRandomSeed

private:
    void load_candidates(std::span<const float> logits);

    SamplingParams params_;
    int32_t n_vocab_;
    uint64_t seed_;
    Xoshiro256 rng_;
    TokenWindow window_;
    std::vector<Candidate> candidates_;  // reused by every call, capacity n_vocab
};

}  // namespace hearth
