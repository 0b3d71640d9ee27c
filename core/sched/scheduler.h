#pragma once
// Iteration-level continuous batching. Every step builds one batch within a token budget: one
// decode row for each running sequence first, then prefill chunks of sequences still catching up
// and of waiting ones (admitted in priority, then arrival, order while the sequence cap and the
// KV pages allow; full pages of a known prefix come from the prefix cache instead of being
// computed). When a sequence needs a page and none is free, the lowest-priority, latest-arrived
// running sequence is preempted: its pages go back (full ones stay cached) and it is recomputed
// later, giving the same tokens. Single-threaded: the Engine's thread drives it.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/kv/kv_cache.h"
#include "core/sched/request.h"
#include "core/sched/sequence.h"
#include "core/tokenizer/tokenizer.h"
#include "models/model.h"

namespace hearth {

struct SchedulerOptions {
    int32_t n_ctx = 4096;            // positions one sequence may hold (the Engine reads 0 as automatic)
    int32_t max_batch_tokens = 512;  // rows per step: decode tokens plus prefill chunks
    int32_t max_sequences = 16;      // sequences holding KV pages at once
};

struct SchedulerStats {
    int32_t waiting = 0;
    int32_t running = 0;
    int64_t steps = 0;
    int64_t completed = 0;  // finished for any reason but cancel and error
    int64_t cancelled = 0;
    int64_t failed = 0;
    int64_t preemptions = 0;
    int64_t prompt_tokens = 0;           // as submitted
    int64_t prefill_tokens_computed = 0; // prompt and recomputed rows actually run
    int64_t generated_tokens = 0;
    KvCacheStats kv;
};

class Scheduler {
public:
    // The pages must outlive the scheduler; their layout sizes the KV bookkeeping.
    Scheduler(Model& model, const tokenizer::Tokenizer& tokenizer, KvPages& pages, const SchedulerOptions& options);

    // Throws Error(bad_request) naming what the request gets wrong. Thread-safe (reads only
    // what never changes), so a frontend can reject a request before queueing it.
    void validate(const Request& request) const;
    // Validates and queues the request under an id unique within this scheduler.
    void add(RequestId id, Request request);
    // Ends the request as cancelled at the next step; unknown or finished ids are ignored.
    void cancel(RequestId id);
    void cancel_all();
    bool idle() const { return sequences_.empty(); }
    // One iteration: plan, run the model once, sample, stream, finish. Errors from the model
    // propagate; call fail_all() then.
    void step();
    // Ends every request with FinishReason::error and this message, releasing all pages.
    void fail_all(const std::string& message);
    SchedulerStats stats() const;
    const SchedulerOptions& options() const { return options_; }

private:
    struct Planned {
        Sequence* seq;
        int32_t count;  // rows this step, from seq->computed on
        bool decode;    // one new token, as opposed to a prefill or recompute chunk
    };
    std::vector<Sequence*> in_order() const;
    void plan_decodes(const std::vector<Sequence*>& order, std::vector<Planned>& plan, std::vector<PageCopy>& copies);
    void plan_prefills(const std::vector<Sequence*>& order, std::vector<Planned>& plan, std::vector<PageCopy>& copies);
    int32_t rows_that_fit(const Sequence& seq, int32_t wanted) const;
    bool admit(Sequence& seq);
    void preempt(Sequence& seq);
    void run(const std::vector<Planned>& plan, const std::vector<PageCopy>& copies);
    void on_logits(Sequence& seq, std::span<const float> logits);
    void shift_context(Sequence& seq);
    void finish(Sequence& seq, FinishReason reason, const std::string& error = {});
    void remove_finished();
    int32_t running_count() const;

    Model& model_;
    const tokenizer::Tokenizer& tokenizer_;
    KvPages& pages_;
    SchedulerOptions options_;
    KvCache kv_;
    std::vector<std::unique_ptr<Sequence>> sequences_;  // waiting and running, in arrival order
    uint64_t next_arrival_ = 0;
    std::vector<float> logits_;
    SchedulerStats counters_;
};

}  // namespace hearth
