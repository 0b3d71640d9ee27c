#include "core/sample/candidates.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

namespace hearth::sampling {
namespace {

float max_logit(std::span<const Candidate> candidates) { return candidates[best_index(candidates)].logit; }

// Candidates from `ranked_from` on are in rank order with their weights in prob: keeps the
// shortest run of them whose weight, added to `mass_before`, reaches `target` (all of them if
// rounding leaves the target out of reach).
void cut_at_mass(std::vector<Candidate>& candidates, std::size_t ranked_from, double mass_before, double target) {
    double mass = mass_before;
    for (std::size_t i = ranked_from; i < candidates.size(); ++i) {
        mass += candidates[i].prob;
        if (mass >= target) {
            candidates.resize(i + 1);
            return;
        }
    }
}

// Large lists: sorting the whole vocabulary would dominate, so bucket the logits (monotonically,
// so a better-ranked candidate never lands in a later bucket), find the bucket where the mass
// crosses the target, and sort only that bucket. Keeps: earlier buckets in their old order,
// then the crossing bucket's best candidates in rank order.
constexpr std::size_t kBuckets = 1024;

void cut_by_buckets(std::vector<Candidate>& candidates, float peak, float scale, double target) {
    auto bucket_of = [&](float logit) {
        const float position = (peak - logit) * scale;  // +inf for a -inf logit
        return position < static_cast<float>(kBuckets - 1) ? static_cast<std::size_t>(position) : kBuckets - 1;
    };

    std::array<double, kBuckets> bucket_mass{};
    for (const Candidate& c : candidates) bucket_mass[bucket_of(c.logit)] += c.prob;
    std::size_t crossing = kBuckets - 1;
    double mass_before = 0.0;
    for (std::size_t b = 0; b < kBuckets; ++b) {
        if (mass_before + bucket_mass[b] >= target) {
            crossing = b;
            break;
        }
        mass_before += bucket_mass[b];
    }

    // In-place partition, [earlier buckets][crossing bucket][dropped]; written out rather than
    // std::partition, whose resulting order differs between standard libraries.
    std::size_t kept = 0;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        if (bucket_of(candidates[i].logit) < crossing) std::swap(candidates[kept++], candidates[i]);
    }
    const std::size_t crossing_begin = kept;
    for (std::size_t i = kept; i < candidates.size(); ++i) {
        if (bucket_of(candidates[i].logit) == crossing) std::swap(candidates[kept++], candidates[i]);
    }
    candidates.resize(kept);
    std::sort(candidates.begin() + static_cast<std::ptrdiff_t>(crossing_begin), candidates.end(), ranks_before);
    cut_at_mass(candidates, crossing_begin, mass_before, target);
}

}  // namespace

std::size_t best_index(std::span<const Candidate> candidates) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < candidates.size(); ++i) {
        if (ranks_before(candidates[i], candidates[best])) best = i;
    }
    return best;
}

void keep_top_k(std::vector<Candidate>& candidates, int32_t k) {
    if (k <= 0 || static_cast<std::size_t>(k) >= candidates.size()) return;
    // One pass with a heap of the k best so far, the worst on top: most candidates cost one
    // comparison, far cheaper than nth_element moving the whole vocabulary around.
    const auto heap_end = candidates.begin() + k;
    std::make_heap(candidates.begin(), heap_end, ranks_before);
    for (auto it = heap_end; it != candidates.end(); ++it) {
        if (!ranks_before(*it, candidates.front())) continue;
        std::pop_heap(candidates.begin(), heap_end, ranks_before);
        *(heap_end - 1) = *it;
        std::push_heap(candidates.begin(), heap_end, ranks_before);
    }
    std::sort_heap(candidates.begin(), heap_end, ranks_before);  // best first
    candidates.resize(static_cast<std::size_t>(k));
}

void keep_top_p(std::vector<Candidate>& candidates, float top_p) {
    if (top_p >= 1.0f || candidates.size() <= 1) return;
    const float peak = max_logit(candidates);
    double total = 0.0;
    for (Candidate& c : candidates) {
        c.prob = std::exp(c.logit - peak);  // unnormalised weight, scratch until apply_softmax
        total += c.prob;
    }
    const double target = static_cast<double>(top_p) * total;
    // Bucket scale over the finite logits; unusable when they are (nearly) all equal.
    float lowest = peak;
    for (const Candidate& c : candidates) {
        if (std::isfinite(c.logit)) lowest = std::min(lowest, c.logit);
    }
    const float scale = static_cast<float>(kBuckets) / (peak - lowest);
    if (candidates.size() > kBuckets && std::isfinite(scale)) {
        cut_by_buckets(candidates, peak, scale, target);
        return;
    }
    std::sort(candidates.begin(), candidates.end(), ranks_before);
    cut_at_mass(candidates, 0, 0.0, target);
}

void keep_min_p(std::vector<Candidate>& candidates, float min_p) {
    if (min_p <= 0.0f || candidates.size() <= 1) return;
    // p / p_max = exp(logit - max_logit): compare logits against one threshold instead of
    // exponentiating every candidate; remove_if keeps the order, and the best always stays.
    const double floor = static_cast<double>(max_logit(candidates)) + std::log(static_cast<double>(min_p));
    const auto dropped = std::remove_if(candidates.begin(), candidates.end(),
                                        [&](const Candidate& c) { return static_cast<double>(c.logit) < floor; });
    candidates.erase(dropped, candidates.end());
}

void apply_softmax(std::span<Candidate> candidates, float temperature) {
    const float peak = max_logit(candidates);
    double total = 0.0;
    for (Candidate& c : candidates) {
        c.prob = std::exp((c.logit - peak) / temperature);
        total += c.prob;
    }
    for (Candidate& c : candidates) c.prob = static_cast<float>(c.prob / total);
}

int32_t draw(std::span<const Candidate> candidates, double uniform) {
    double total = 0.0;
    for (const Candidate& c : candidates) total += c.prob;
    const double target = uniform * total;
    double cumulative = 0.0;
    int32_t last_with_mass = candidates.front().token;
    for (const Candidate& c : candidates) {
        if (c.prob <= 0.0f) continue;
        cumulative += c.prob;
        last_with_mass = c.token;
        if (target < cumulative) return c.token;
    }
    return last_with_mass;  // uniform * total rounded up to total
}

}  // namespace hearth::sampling
