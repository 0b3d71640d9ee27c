#include "backends/cpu/thread_pool.h"

namespace hearth::cpu {

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
    {
        std::lock_guard lock(mutex_);
        job_ = &fn;
        job_size_ = n;
        next_.store(0);
        busy_workers_ = static_cast<int>(workers_.size());
        ++generation_;
    }
    wake_.notify_all();
    run_chunks();
    std::unique_lock lock(mutex_);
    done_.wait(lock, [this] { return busy_workers_ == 0; });
    job_ = nullptr;
}

void ThreadPool::worker_loop() {
    uint64_t seen = 0;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
            if (stopping_) return;
            seen = generation_;
        }
        run_chunks();
        {
            std::lock_guard lock(mutex_);
            --busy_workers_;
        }
        done_.notify_one();
    }
}

}  // namespace hearth::cpu
