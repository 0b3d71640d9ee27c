#pragma once
// The serving engine: one thread drives the scheduler over a model's paged KV cache while any
// number of frontend threads submit requests, stream their tokens, cancel them and read stats.
// Two engines (two models) can live in one process; nothing here is global.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/engine/request_stream.h"
#include "core/sched/scheduler.h"

namespace hearth {

struct EngineOptions {
    SchedulerOptions scheduler;  // n_ctx 0: the model's training context, at most 4096
    int32_t page_size = 16;      // KV positions per page
    // KV memory budget; 0: enough for every sequence's full context, capped at a quarter of
    // physical memory. Pages are committed by the OS only as they are first written.
    int64_t kv_bytes = 0;
    DType kv_type = DType::F16;  // or Q8_0: half the memory per token
};

class Engine {
public:
    // Model and tokenizer must outlive the engine. Throws Error(out_of_memory) when the KV
    // budget cannot be allocated, Error(bad_request) for impossible options.
    Engine(Model& model, const tokenizer::Tokenizer& tokenizer, const EngineOptions& options);
    ~Engine();  // cancels what is still running and joins the engine thread
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // Queues a request; Error(bad_request) if it is invalid. Its callbacks, if any, run on the
    // engine thread as well as the stream receiving everything.
    std::shared_ptr<RequestStream> submit(Request request);
    // Ends the request as cancelled at the engine's next step (its pages are freed then).
    void cancel(RequestId id);
    // Blocks until no request is queued or running.
    void wait_idle();

    SchedulerStats stats() const;  // a snapshot taken after the latest step
    const SchedulerOptions& scheduler_options() const { return scheduler_->options(); }
    int64_t kv_bytes() const { return pages_->layout().bytes(); }

private:
    struct Submission {
        RequestId id;
        Request request;
        std::shared_ptr<RequestStream> stream;
    };
    void loop();
    void take_inbox();

    Model& model_;
    std::unique_ptr<KvPages> pages_;
    std::unique_ptr<Scheduler> scheduler_;

    mutable std::mutex mutex_;  // guards everything below
    std::condition_variable wake_;
    std::condition_variable idle_;
    std::vector<Submission> inbox_;
    std::vector<RequestId> cancels_;
    bool busy_ = false;  // the scheduler holds requests
    bool stopping_ = false;
    RequestId next_id_ = 1;
    SchedulerStats stats_;
    std::thread thread_;  // last: starts after everything above exists
};

}  // namespace hearth
