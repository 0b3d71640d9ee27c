#pragma once
// Persistent worker threads. The calling thread works too, so a pool of N threads has N-1 workers.
// Between jobs workers spin briefly on a generation counter (a decode step issues hundreds of small
// jobs, and waking a sleeping thread costs more than most of them), then sleep on a condition
// variable when idle.
//
// A job is handed over with as few cache-line transfers as possible, because the threads may sit
// on different CPU dies (this VM's two vCPUs: a round trip takes ~100 ns on one die, ~400 ns
// across): the job's description and generation share one line that only the caller writes, each
// worker reports completion on a line of its own, and a job of at most one index per thread takes
// its indices statically (thread t runs index t) instead of from the shared counter that larger
// jobs use.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "backends/cpu/callables.h"

namespace hearth::cpu {

class ThreadPool {
public:
    explicit ThreadPool(int n_threads);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const { return static_cast<int>(workers_.size()) + 1; }
    // Calls fn(i) for every i in [0, n), each thread one contiguous range (for indices that cost
    // the same: rows of an element-wise op); returns when all are done. If fn throws, the thread's
    // remaining indices are skipped and the first exception is rethrown here.
    // Not reentrant: one caller thread at a time.
    void parallel_for(int64_t n, FunctionRef<void(int64_t)> fn);
    // Calls fn(i, worker) with the calling thread's index in [0, size()), for callers that keep
    // scratch memory per thread. With n <= size(), index i runs on thread i; a larger job hands out
    // chunks of indices from a shared counter, each a share of the indices left (guided), so that
    // tasks of uneven cost still balance. If fn throws, no further chunks are handed out.
    void parallel_for_workers(int64_t n, FunctionRef<void(int64_t, int)> fn);

    // Memory that `thread` reads in the job after the next one (decode: its share of the following
    // matmul's weights). Once its share of the next job is done, the thread requests these bytes into
    // its cache while it would otherwise wait: a worker until a new job comes, the calling thread
    // until the workers are done. Forgotten after the next job. At most kMaxReadAhead ranges a thread.
    static constexpr std::size_t kMaxReadAhead = 4;
    void read_ahead(int thread, const void* data, uint64_t bytes);

private:
    // Written by the caller only; workers read it after seeing a new generation.
    struct alignas(64) JobLine {
        std::atomic<uint64_t> generation{0};
        const FunctionRef<void(int64_t, int)>* fn = nullptr;
        int64_t size = 0;
        std::atomic<bool> stopping{false};
    };
    // Written by one worker only: the last generation it finished.
    struct alignas(64) DoneLine {
        std::atomic<uint64_t> generation{0};
    };
    struct ReadRange {
        const uint8_t* data = nullptr;
        uint64_t bytes = 0;
    };
    using ReadRanges = FixedVector<ReadRange, kMaxReadAhead>;
    // Written by the caller only, before it publishes a job.
    struct alignas(64) ReadAheadLine {
        ReadRanges ranges;
    };

    void worker_loop(int worker);
    void run_share(int worker);
    void record_failure();
    bool wait_for_job(uint64_t seen);  // false when stopping
    bool workers_done(uint64_t generation) const;
    void forget_read_ahead();
    // Requests ranges' bytes into the cache, in order, until stop() says to.
    static void request(const ReadRanges& ranges, FunctionRef<bool()> stop);

    JobLine job_;
    alignas(64) std::atomic<int64_t> next_{0};  // the next index of a job larger than the pool
    alignas(64) std::atomic<int> sleeping_workers_{0};
    std::atomic<bool> failed_{false};
    std::unique_ptr<DoneLine[]> done_;  // per worker (index worker - 1)
    std::unique_ptr<ReadAheadLine[]> read_ahead_;  // per thread, the caller's at 0
    bool has_read_ahead_ = false;
    std::mutex mutex_;
    std::exception_ptr failure_;  // the first exception a job threw, guarded by mutex_
    std::condition_variable wake_;
    std::vector<std::thread> workers_;
};

}  // namespace hearth::cpu
