#include "core/sample/sampler.h"

#include <cmath>
#include <random>
#include <string>

#include "core/error.h"

namespace hearth {
namespace {

const SamplingParams& validated(const SamplingParams& params, int32_t n_vocab) {
    params.validate();
    if (n_vocab <= 0) throw Error(ErrorKind::bad_request, "sampler needs n_vocab > 0, got " + std::to_string(n_vocab));
    return params;
}

uint64_t resolve_seed(uint64_t requested) {
    if (requested != kRandomSeed) return requested;
    std::random_device device;
    uint64_t seed = (static_cast<uint64_t>(device()) << 32) | device();
    // A drawn seed must be reproducible when passed back, so it may not be the marker itself.
    return seed == kRandomSeed ? 0 : seed;
}

}  // namespace

Sampler::Sampler(const SamplingParams& params, int32_t n_vocab)
    : params_(validated(params, n_vocab)),
      n_vocab_(n_vocab),
      seed_(resolve_seed(params.seed)),
      rng_(seed_),
      window_(n_vocab, params.repeat_last_n) {
    candidates_.reserve(static_cast<std::size_t>(n_vocab));
}

int32_t Sampler::sample(std::span<const float> logits) {
    const std::span<const Candidate> survivors = distribution(logits);
    if (survivors.size() == 1) return survivors.front().token;  // greedy, or the filters left one
    return sampling::draw(survivors, rng_.uniform());
}

std::span<const Candidate> Sampler::distribution(std::span<const float> logits) {
    load_candidates(logits);
    if (params_.penalizes()) sampling::apply_penalties(candidates_, window_, params_);
    if (params_.greedy()) {
        const Candidate best = candidates_[sampling::best_index(candidates_)];
        candidates_.assign(1, Candidate{best.token, best.logit, 1.0f});
        return candidates_;
    }
    sampling::keep_top_k(candidates_, params_.top_k);
    sampling::keep_top_p(candidates_, params_.top_p);
    sampling::keep_min_p(candidates_, params_.min_p);
    sampling::apply_softmax(candidates_, params_.temperature);
    return candidates_;
}

void Sampler::accept(int32_t token) {
    if (token < 0 || token >= n_vocab_) {
        throw Error(ErrorKind::bad_request,
                    "token id " + std::to_string(token) + " is outside the vocabulary of " + std::to_string(n_vocab_));
    }
    window_.push(token);
}

void Sampler::reset() {
    window_.clear();
    rng_ = Xoshiro256(seed_);
}

void Sampler::load_candidates(std::span<const float> logits) {
    if (logits.size() != static_cast<std::size_t>(n_vocab_)) {
        throw Error(ErrorKind::internal, "sampler got " + std::to_string(logits.size()) + " logits for a vocabulary of " +
                                             std::to_string(n_vocab_));
    }
    candidates_.resize(logits.size());  // within the reserved capacity: no allocation
    bool any_finite = false;
    for (std::size_t i = 0; i < logits.size(); ++i) {
        const float logit = logits[i];
        if (std::isnan(logit) || logit == INFINITY) {
            throw Error(ErrorKind::internal, "logit of token " + std::to_string(i) + " is " +
                                                 (std::isnan(logit) ? "NaN" : "+inf") + " (the forward pass diverged)");
        }
        any_finite = any_finite || logit != -INFINITY;
        candidates_[i] = Candidate{static_cast<int32_t>(i), logit, 0.0f};
    }
    if (!any_finite) throw Error(ErrorKind::internal, "every logit is -inf: no token can be sampled");
}

}  // namespace hearth
