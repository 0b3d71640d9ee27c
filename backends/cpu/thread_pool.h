#pragma once
// Persistent worker threads. parallel_for hands out indices from an atomic counter; the calling
// thread works too, so a pool of N threads has N-1 workers. Between jobs workers spin briefly on
// a generation counter (a decode step issues hundreds of small jobs, and waking a sleeping
// thread costs more than most of them), then sleep on a condition variable when idle.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace hearth::cpu {

class ThreadPool {
public:
    explicit ThreadPool(int n_threads);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const { return static_cast<int>(workers_.size()) + 1; }
    // Calls fn(i) for every i in [0, n), spread over the threads; returns when all are done.
    // If fn throws, the remaining indices are skipped and the first exception is rethrown here.
    // Not reentrant: one caller thread at a time.
    void parallel_for(int64_t n, const std::function<void(int64_t)>& fn);
    // The same, calling fn(i, worker) with the calling thread's index in [0, size()), for callers
    // that keep scratch memory per thread.
    void parallel_for_workers(int64_t n, const std::function<void(int64_t, int)>& fn);

private:
    void worker_loop(int worker);
    void run_chunks(int worker);
    bool wait_for_job(uint64_t seen);  // false when stopping

    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::exception_ptr failure_;  // the first exception a job threw, guarded by mutex_
    std::condition_variable wake_;
    const std::function<void(int64_t, int)>* job_ = nullptr;
    int64_t job_size_ = 0;
    std::atomic<int64_t> next_{0};
    std::atomic<uint64_t> generation_{0};
    std::atomic<int> busy_workers_{0};
    std::atomic<int> sleeping_workers_{0};
    std::atomic<bool> stopping_{false};
};

}  // namespace hearth::cpu
