#include "backends/cpu/thread_pool.h"

namespace hearth::cpu {
namespace {

constexpr int kSpinsBeforeSleep = 1 << 14;
constexpr int kSpinsBeforeYield = 1 << 10;

// Busy-waits politely: pause at first, then yield the core, which matters when more threads
// than cores run (ctest -j, other programs) and the thread being waited for needs this core.
void cpu_relax(int spin) {
    if (spin < kSpinsBeforeYield) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#elif defined(__aarch64__)
        __asm__ __volatile__("yield");  // Arm's spin-wait hint
#endif
    } else {
        std::this_thread::yield();
    }
}

}  // namespace

ThreadPool::ThreadPool(int n_threads) {
    for (int i = 1; i < n_threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& worker : workers_) worker.join();
}

void ThreadPool::run_chunks(int worker) {
    try {
        for (int64_t i = next_.fetch_add(1); i < job_size_; i = next_.fetch_add(1)) (*job_)(i, worker);
    } catch (...) {
        // An exception must not escape a worker (that would terminate the process): keep the
        // first one for the caller to rethrow, and stop handing out indices.
        std::lock_guard lock(mutex_);
        if (!failure_) failure_ = std::current_exception();
        next_.store(job_size_);
    }
}

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t)>& fn) {
    parallel_for_workers(n, [&fn](int64_t i, int) { fn(i); });
}

void ThreadPool::parallel_for_workers(int64_t n, const std::function<void(int64_t, int)>& fn) {
    if (n <= 0) return;
    if (workers_.empty() || n == 1) {
        for (int64_t i = 0; i < n; ++i) fn(i, 0);
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
    run_chunks(0);
    for (int spin = 0; busy_workers_.load() > 0; ++spin) cpu_relax(spin);
    job_ = nullptr;
    std::exception_ptr failure;
    {
        std::lock_guard lock(mutex_);
        std::swap(failure, failure_);
    }
    if (failure) std::rethrow_exception(failure);
}

bool ThreadPool::wait_for_job(uint64_t seen) {
    for (int spin = 0; spin < kSpinsBeforeSleep; ++spin) {
        if (generation_.load() != seen) return true;
        if (stopping_.load()) return false;
        cpu_relax(spin);
    }
    std::unique_lock lock(mutex_);
    sleeping_workers_.fetch_add(1);
    wake_.wait(lock, [&] { return stopping_.load() || generation_.load() != seen; });
    sleeping_workers_.fetch_sub(1);
    return !stopping_.load();
}

void ThreadPool::worker_loop(int worker) {
    // Generation 0 is the state before the first job; a worker that starts late must still run
    // every job published since, or the caller would wait for it forever.
    uint64_t seen = 0;
    while (wait_for_job(seen)) {
        seen = generation_.load();
        run_chunks(worker);
        busy_workers_.fetch_sub(1);
    }
}

}  // namespace hearth::cpu
