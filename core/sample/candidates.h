#pragma once
// The candidate list one sampling step works on, and the truncation steps of the chain.
// Every order used here is a strict total order (logit, then token id), so the surviving set
// and its order do not depend on how a standard library implements sort or nth_element.
#include <cstdint>
#include <span>
#include <vector>

namespace hearth {

struct Candidate {
    int32_t token;
    float logit;  // after penalties, before temperature
    float prob;   // set by apply_softmax: the final distribution over the surviving candidates
};

namespace sampling {

// Higher logit first; the lower token id first on equal logits.
inline bool ranks_before(const Candidate& a, const Candidate& b) {
    return a.logit > b.logit || (a.logit == b.logit && a.token < b.token);
}

// Index of the best-ranked candidate; the list must not be empty.
std::size_t best_index(std::span<const Candidate> candidates);

// Each keeps at least one candidate, in an order fixed by the input alone.
void keep_top_k(std::vector<Candidate>& candidates, int32_t k);    // k <= 0: off; leaves rank order
void keep_top_p(std::vector<Candidate>& candidates, float top_p);  // the best ones with mass >= top_p
void keep_min_p(std::vector<Candidate>& candidates, float min_p);  // prob >= min_p * max prob

// Sets prob = softmax(logit / temperature); temperature must be > 0.
void apply_softmax(std::span<Candidate> candidates, float temperature);

// Picks the candidate where the cumulative probability passes `uniform` in [0, 1).
int32_t draw(std::span<const Candidate> candidates, double uniform);

}  // namespace sampling
}  // namespace hearth
