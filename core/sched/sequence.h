#pragma once
// The scheduler's state for one request: its tokens (prompt, then generated), the KV sequence
// holding the computed ones (none while waiting or after preemption), its sampler and text.
#include <chrono>
#include <cstdint>
#include <vector>

#include "core/kv/kv_cache.h"
#include "core/sample/sampler.h"
#include "core/sched/request.h"
#include "core/sched/text_tracker.h"

namespace hearth {

struct Sequence {
    using Clock = std::chrono::steady_clock;

    Sequence(RequestId request_id, uint64_t arrival_order, Request&& req, const tokenizer::Tokenizer& tokenizer,
             int32_t n_vocab)
        : id(request_id),
          arrival(arrival_order),
          request(std::move(req)),
          tokens(request.prompt),
          sampler(request.options.sampling, n_vocab),
          text(tokenizer, request.options) {
        for (int32_t token : request.prompt) sampler.accept(token);
        result.prompt_tokens = static_cast<int32_t>(request.prompt.size());
        result.seed = sampler.seed();
    }

    bool holds_kv() const { return kv >= 0; }
    int32_t pending() const { return static_cast<int32_t>(tokens.size()) - computed; }
    // Scheduling order: higher priority first, then first come first served.
    bool before(const Sequence& other) const {
        return request.priority != other.request.priority ? request.priority > other.request.priority
                                                          : arrival < other.arrival;
    }

    RequestId id;
    uint64_t arrival;
    Request request;
    std::vector<int32_t> tokens;
    SeqId kv = -1;
    int32_t computed = 0;  // tokens[0, computed) have keys and values in the cache
    bool admitted_once = false;
    bool cancel_requested = false;
    bool done = false;  // finished; removed at the end of the step
    Sampler sampler;
    TextTracker text;
    Clock::time_point submitted = Clock::now();
    Clock::time_point first_token;
    Clock::time_point last_token;
    RequestResult result;
};

}  // namespace hearth
