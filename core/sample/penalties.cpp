#include "core/sample/penalties.h"

#include <algorithm>

namespace hearth {

TokenWindow::TokenWindow(int32_t n_vocab, int32_t capacity)
    : capacity_(capacity),
      counts_(static_cast<std::size_t>(n_vocab), 0),
      distinct_index_(static_cast<std::size_t>(n_vocab), 0) {
    // Reserve a typical window now; a huge or unbounded one grows only as tokens arrive.
    const int32_t typical = capacity_ > 0 ? std::min(capacity_, 4096) : 4096;
    if (capacity_ > 0) ring_.reserve(static_cast<std::size_t>(typical));
    if (capacity_ != 0) distinct_.reserve(static_cast<std::size_t>(std::min(typical, n_vocab)));
}

void TokenWindow::push(int32_t token) {
    if (capacity_ == 0) return;
    if (capacity_ > 0) {
        if (ring_.size() < static_cast<std::size_t>(capacity_)) {
            ring_.push_back(token);
        } else {
            remove(ring_[next_slot_]);
            ring_[next_slot_] = token;
            next_slot_ = (next_slot_ + 1) % ring_.size();
        }
    }
    add(token);
}

void TokenWindow::clear() {
    for (int32_t token : distinct_) counts_[static_cast<std::size_t>(token)] = 0;
    distinct_.clear();
    ring_.clear();
    next_slot_ = 0;
}

void TokenWindow::add(int32_t token) {
    const auto slot = static_cast<std::size_t>(token);
    if (counts_[slot]++ == 0) {
        distinct_index_[slot] = static_cast<int32_t>(distinct_.size());
        distinct_.push_back(token);
    }
}

void TokenWindow::remove(int32_t token) {
    const auto slot = static_cast<std::size_t>(token);
    if (--counts_[slot] > 0) return;
    // Swap the last distinct token into the freed place.
    const int32_t place = distinct_index_[slot];
    const int32_t moved = distinct_.back();
    distinct_[static_cast<std::size_t>(place)] = moved;
    distinct_index_[static_cast<std::size_t>(moved)] = place;
    distinct_.pop_back();
}

namespace sampling {

void apply_penalties(std::span<Candidate> by_token, const TokenWindow& window, const SamplingParams& params) {
    for (int32_t token : window.distinct()) {
        float& logit = by_token[static_cast<std::size_t>(token)].logit;
        const int32_t count = window.count(token);
        logit = logit > 0.0f ? logit / params.repeat_penalty : logit * params.repeat_penalty;
        logit -= static_cast<float>(count) * params.frequency_penalty + params.presence_penalty;
    }
}

}  // namespace sampling
}  // namespace hearth
