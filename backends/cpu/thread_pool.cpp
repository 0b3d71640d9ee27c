#include "backends/cpu/thread_pool.h"

#include <algorithm>

namespace hearth::cpu {
namespace {

constexpr int kSpinsBeforeSleep = 1 << 14;
constexpr int kSpinsBeforeYield = 1 << 10;
constexpr int64_t kGuidedChunksPerThread = 2;  // a fetch takes 1 / (this x threads) of what is left
// A thread reading ahead checks whether to stop after this many cache lines (1 KB).
constexpr uint64_t kReadAheadLinesPerCheck = 16;
constexpr uint64_t kCacheLine = 64;

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

ThreadPool::ThreadPool(int n_threads)
    : done_(std::make_unique<DoneLine[]>(n_threads > 1 ? n_threads - 1 : 0)),
      read_ahead_(std::make_unique<ReadAheadLine[]>(n_threads > 1 ? n_threads : 1)) {
    for (int i = 1; i < n_threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard lock(mutex_);
        job_.stopping = true;
    }
    wake_.notify_all();
    for (auto& worker : workers_) worker.join();
}

void ThreadPool::record_failure() {
    // An exception must not escape a worker (that would terminate the process): keep the first
    // one for the caller to rethrow, and stop handing out indices.
    std::lock_guard lock(mutex_);
    if (!failure_) failure_ = std::current_exception();
    failed_ = true;
    next_.store(job_.size);
}

void ThreadPool::run_share(int worker) {
    const auto& fn = *job_.fn;
    const int64_t n = job_.size;
    try {
        if (n <= size()) {
            if (worker < n && !failed_.load(std::memory_order_relaxed)) fn(worker, worker);
        } else {
            // Guided: each fetch takes a share of what is left, so the shared counter (a cache-line
            // transfer between the threads, ~400 ns across dies) is touched a few dozen times per
            // job instead of once per index, and the last chunks stay small enough to balance.
            const int64_t divisor = kGuidedChunksPerThread * size();
            int64_t begin = next_.load(std::memory_order_relaxed);
            while (begin < n) {
                const int64_t chunk = std::max<int64_t>(1, (n - begin) / divisor);
                if (!next_.compare_exchange_weak(begin, begin + chunk, std::memory_order_relaxed)) continue;
                for (int64_t i = begin; i < begin + chunk; ++i) fn(i, worker);
                begin = next_.load(std::memory_order_relaxed);
            }
        }
    } catch (...) {
        record_failure();
    }
}

void ThreadPool::parallel_for(int64_t n, FunctionRef<void(int64_t)> fn) {
    const int64_t ranges = std::min<int64_t>(n, size());
    parallel_for_workers(ranges, [&](int64_t t, int) {
        for (int64_t i = n * t / ranges, end = n * (t + 1) / ranges; i < end; ++i) fn(i);
    });
}

void ThreadPool::read_ahead(int thread, const void* data, uint64_t bytes) {
    if (thread < 0 || thread >= size() || bytes == 0 || read_ahead_[thread].ranges.full()) return;
    read_ahead_[thread].ranges.push_back({static_cast<const uint8_t*>(data), bytes});
    has_read_ahead_ = true;
}

void ThreadPool::request(const ReadRanges& ranges, FunctionRef<bool()> stop) {
    constexpr uint64_t kBytesPerCheck = kReadAheadLinesPerCheck * kCacheLine;
    for (const ReadRange& range : ranges)
        for (uint64_t begin = 0; begin < range.bytes; begin += kBytesPerCheck) {
            if (stop()) return;
            const uint64_t end = std::min(range.bytes, begin + kBytesPerCheck);
            for (uint64_t b = begin; b < end; b += kCacheLine) __builtin_prefetch(range.data + b, 0, 2);
        }
}

bool ThreadPool::workers_done(uint64_t generation) const {
    for (size_t w = 0; w < workers_.size(); ++w)
        if (done_[w].generation.load(std::memory_order_relaxed) != generation) return false;
    return true;
}

void ThreadPool::parallel_for_workers(int64_t n, FunctionRef<void(int64_t, int)> fn) {
    if (n <= 0) return;
    if (workers_.empty() || n == 1) {
        forget_read_ahead();
        for (int64_t i = 0; i < n; ++i) fn(i, 0);
        return;
    }
    job_.fn = &fn;
    job_.size = n;
    if (n > size()) next_.store(0, std::memory_order_relaxed);
    // Publishes the job (sequentially consistent with the sleeper count, see wait_for_job).
    const uint64_t generation = job_.generation.fetch_add(1) + 1;
    if (sleeping_workers_.load() > 0) {
        std::lock_guard lock(mutex_);
        wake_.notify_all();
    }
    run_share(0);
    if (has_read_ahead_) request(read_ahead_[0].ranges, [&] { return workers_done(generation); });
    for (size_t w = 0; w < workers_.size(); ++w)
        for (int spin = 0; done_[w].generation.load(std::memory_order_acquire) != generation; ++spin) cpu_relax(spin);
    forget_read_ahead();  // each worker copied its ranges before reporting done
    if (!failed_.load(std::memory_order_relaxed)) return;
    std::exception_ptr failure;
    {
        std::lock_guard lock(mutex_);
        std::swap(failure, failure_);
        failed_ = false;
    }
    std::rethrow_exception(failure);
}

void ThreadPool::forget_read_ahead() {
    if (!has_read_ahead_) return;
    for (int t = 0; t < size(); ++t) read_ahead_[t].ranges.clear();
    has_read_ahead_ = false;
}

bool ThreadPool::wait_for_job(uint64_t seen) {
    for (int spin = 0; spin < kSpinsBeforeSleep; ++spin) {
        if (job_.generation.load(std::memory_order_acquire) != seen) return true;
        if (job_.stopping.load(std::memory_order_relaxed)) return false;
        cpu_relax(spin);
    }
    std::unique_lock lock(mutex_);
    sleeping_workers_.fetch_add(1);
    wake_.wait(lock, [&] { return job_.stopping.load() || job_.generation.load() != seen; });
    sleeping_workers_.fetch_sub(1);
    return !job_.stopping.load();
}

void ThreadPool::worker_loop(int worker) {
    // Generation 0 is the state before the first job; a worker that starts late must still run
    // every job published since, or the caller would wait for it forever.
    uint64_t seen = 0;
    while (wait_for_job(seen)) {
        seen = job_.generation.load(std::memory_order_acquire);
        run_share(worker);
        const ReadRanges ranges = read_ahead_[worker].ranges;  // the caller may rewrite them once done
        done_[static_cast<size_t>(worker - 1)].generation.store(seen, std::memory_order_release);
        if (ranges.size() > 0)
            request(ranges, [&] { return job_.generation.load(std::memory_order_relaxed) != seen || job_.stopping.load(); });
    }
}

}  // namespace hearth::cpu
