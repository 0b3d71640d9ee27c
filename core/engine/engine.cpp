#include "core/engine/engine.h"

#include <unistd.h>

#include <algorithm>
#include <string>

#include "core/error.h"

namespace hearth {
namespace {

int64_t physical_memory_bytes() {
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long page_size = sysconf(_SC_PAGE_SIZE);
    return pages > 0 && page_size > 0 ? static_cast<int64_t>(pages) * page_size : int64_t{8} << 30;
}

SchedulerOptions resolve(const Model& model, SchedulerOptions options) {
    if (options.n_ctx == 0) {
        const int32_t trained = model.config().n_ctx_train;
        options.n_ctx = trained > 0 ? std::min(trained, 4096) : 4096;
    }
    return options;
}

int32_t kv_page_count(const Model& model, const SchedulerOptions& sched, const EngineOptions& options) {
    require(options.page_size > 0 && options.kv_bytes >= 0, ErrorKind::bad_request,
            "the KV page size must be positive and the KV budget not negative");
    const int64_t per_token = model.kv_bytes_per_token(options.kv_type);
    int64_t pages = 0;
    if (options.kv_bytes > 0) {
        pages = options.kv_bytes / per_token / options.page_size;
    } else {
        const int64_t wanted = static_cast<int64_t>(sched.max_sequences) * sched.n_ctx;
        const int64_t tokens = std::min(wanted, physical_memory_bytes() / 4 / per_token);
        pages = (tokens + options.page_size - 1) / options.page_size;
    }
    require(pages >= 1, ErrorKind::bad_request,
            "a KV budget of " + std::to_string(options.kv_bytes) + " bytes holds no page of " +
                std::to_string(options.page_size) + " tokens (" + std::to_string(per_token) + " bytes each)");
    require(pages <= INT32_MAX, ErrorKind::bad_request, "the KV budget is too large");
    return static_cast<int32_t>(pages);
}

}  // namespace

Engine::Engine(Model& model, const tokenizer::Tokenizer& tokenizer, const EngineOptions& options) : model_(model) {
    const SchedulerOptions sched = resolve(model, options.scheduler);
    pages_ = model.create_kv_pages(kv_page_count(model, sched, options), options.page_size, options.kv_type);
    scheduler_ = std::make_unique<Scheduler>(model, tokenizer, *pages_, sched);
    stats_ = scheduler_->stats();
    thread_ = std::thread([this] { loop(); });
}

Engine::~Engine() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

std::shared_ptr<RequestStream> Engine::submit(Request request) {
    scheduler_->validate(request);
    std::lock_guard lock(mutex_);
    require(!stopping_, ErrorKind::cancelled, "the engine is shutting down");
    const RequestId id = next_id_++;
    auto stream = std::make_shared<RequestStream>(id);
    request.on_token = [stream, user = std::move(request.on_token)](const GeneratedToken& token) {
        stream->push(token);
        if (user) user(token);
    };
    request.on_finish = [stream, user = std::move(request.on_finish)](const RequestResult& result) {
        stream->close(result);
        if (user) user(result);
    };
    inbox_.push_back(Submission{id, std::move(request), stream});
    busy_ = true;
    wake_.notify_all();
    return stream;
}

void Engine::cancel(RequestId id) {
    std::lock_guard lock(mutex_);
    cancels_.push_back(id);
    wake_.notify_all();
}

void Engine::wait_idle() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [&] { return !busy_; });
}

SchedulerStats Engine::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

void Engine::take_inbox() {
    std::vector<Submission> submissions;
    std::vector<RequestId> cancels;
    {
        std::lock_guard lock(mutex_);
        std::swap(submissions, inbox_);
        std::swap(cancels, cancels_);
    }
    for (Submission& s : submissions) {
        try {
            scheduler_->add(s.id, std::move(s.request));
        } catch (const Error& e) {  // validated at submit, so only internal trouble lands here
            RequestResult failed;
            failed.finish = FinishReason::error;
            failed.error = e.what();
            s.stream->close(failed);
        }
    }
    for (RequestId id : cancels) scheduler_->cancel(id);
}

void Engine::loop() {
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !inbox_.empty() || !cancels_.empty() || !scheduler_->idle(); });
            if (stopping_) break;
        }
        take_inbox();
        if (!scheduler_->idle()) {
            try {
                scheduler_->step();
            } catch (const std::exception& e) {
                scheduler_->fail_all(std::string("the model step failed: ") + e.what());
            }
        }
        std::lock_guard lock(mutex_);
        stats_ = scheduler_->stats();
        busy_ = !scheduler_->idle() || !inbox_.empty();
        if (!busy_) idle_.notify_all();
    }
    take_inbox();
    scheduler_->cancel_all();
    scheduler_->step();
    std::lock_guard lock(mutex_);
    busy_ = false;
    idle_.notify_all();
}

}  // namespace hearth
