#pragma once
// Helpers shared by the sampler tests: parameter presets and reproducible random logits.
#include <cmath>
#include <cstdint>
#include <vector>

#include "core/sample/rng.h"
#include "core/sample/sampling_params.h"

namespace hearth::test {

// Every filter off, temperature 1: the draw should follow softmax(logits) exactly.
inline SamplingParams plain_params(uint64_t seed) {
    SamplingParams params;
    params.temperature = 1.0f;
    params.top_k = 0;
    params.top_p = 1.0f;
    params.min_p = 0.0f;
    params.seed = seed;
    return params;
}

// Logits uniform in [-spread, spread), from a generator independent of any sampler.
inline std::vector<float> random_logits(Xoshiro256& rng, std::size_t n, double spread) {
    std::vector<float> logits(n);
    for (float& logit : logits) logit = static_cast<float>((rng.uniform() * 2.0 - 1.0) * spread);
    return logits;
}

// softmax(logits / temperature) in double, written independently of the library.
inline std::vector<double> softmax(const std::vector<float>& logits, double temperature) {
    double peak = -INFINITY;
    for (float logit : logits) peak = std::fmax(peak, logit);
    std::vector<double> probs;
    double total = 0.0;
    for (float logit : logits) {
        probs.push_back(std::exp((logit - peak) / temperature));
        total += probs.back();
    }
    for (double& p : probs) p /= total;
    return probs;
}

// Logits whose softmax is exactly proportional to the given weights.
inline std::vector<float> logits_for(const std::vector<double>& weights) {
    std::vector<float> logits;
    for (double w : weights) logits.push_back(static_cast<float>(std::log(w)));
    return logits;
}

}  // namespace hearth::test
