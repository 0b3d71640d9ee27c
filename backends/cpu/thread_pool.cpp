#include "backends/cpu/thread_pool.h"

namespace hearth::cpu {
namespace {

constexpr int kSpinsBeforeSleep = 1 << 15;

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#else
    std::this_thread::yield();
#endif
}

}  // namespace

ThreadPool::ThreadPool(int n_threads) {
    for (int i = 1; i < n_threads; ++i) workers_.emplace_back([this] { worker_loop(); });
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& worker : workers_) worker.join();
}

void ThreadPool::run_chunks() {
    for (int64_t i = next_.fetch_add(1); i < job_size_; i = next_.fetch_add(1)) (*job_)(i);
}

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t)>& fn) {
    if (n <= 0) return;
    if (workers_.empty() || n == 1) {
        for (int64_t i = 0; i < n; ++i) fn(i);
        return;
    }
    job_ = &fn;
    job_size_ = n;
    next_.store(0);
    busy_workers_.store(static_cast<int>(workers_.size()));
    generation_.fetch_add(1);  // publishes the job (sequentially consistent with the sleeper count)
    if (sleeping_workers_.load() > 0) {
        std::lock_guard lock(mutex_);
        wake_.notify_all();
    }
    run_chunks();
    while (busy_workers_.load() > 0) cpu_relax();
    job_ = nullptr;
}

bool ThreadPool::wait_for_job(uint64_t seen) {
    for (int spin = 0; spin < kSpinsBeforeSleep; ++spin) {
        if (generation_.load() != seen) return true;
        if (stopping_.load()) return false;
        cpu_relax();
    }
    std::unique_lock lock(mutex_);
    sleeping_workers_.fetch_add(1);
    wake_.wait(lock, [&] { return stopping_.load() || generation_.load() != seen; });
    sleeping_workers_.fetch_sub(1);
    return !stopping_.load();
}

void ThreadPool::worker_loop() {
    uint64_t seen = generation_.load();
    while (wait_for_job(seen)) {
        seen = generation_.load();
        run_chunks();
        busy_workers_.fetch_sub(1);
    }
}

}  // namespace hearth::cpu
