// The thread pool runs every index exactly once, on the thread its contract names where it names
// one, job after job, and brings a task's exception back to the caller.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "backends/cpu/thread_pool.h"

namespace hearth::cpu {
namespace {

TEST_CASE("every index runs once, whatever the job's size against the pool's") {
    for (int threads : {1, 2, 3, 5}) {
        ThreadPool pool(threads);
        CHECK(pool.size() == threads);
        for (int round = 0; round < 50; ++round) {  // many jobs in a row: no worker misses one
            for (int64_t n : {int64_t{1}, int64_t{2}, int64_t{3}, int64_t{5}, int64_t{6}, int64_t{17}, int64_t{1000}}) {
                std::vector<std::atomic<int>> runs(static_cast<size_t>(n));
                std::atomic<int> bad_worker{0};
                pool.parallel_for_workers(n, [&](int64_t i, int worker) {
                    runs[static_cast<size_t>(i)].fetch_add(1);
                    if (worker < 0 || worker >= threads) bad_worker.fetch_add(1);
                });
                int wrong = 0;
                for (auto& r : runs) wrong += r.load() != 1;
                INFO("threads=" << threads << " n=" << n);
                REQUIRE(wrong == 0);
                REQUIRE(bad_worker.load() == 0);
            }
        }
    }
}

TEST_CASE("a job of at most one index per thread runs index i on thread i, each on its own thread") {
    ThreadPool pool(3);
    for (int64_t n : {2, 3}) {
        std::vector<std::thread::id> ids(static_cast<size_t>(n));
        std::vector<int> workers(static_cast<size_t>(n), -1);
        pool.parallel_for_workers(n, [&](int64_t i, int worker) {
            ids[static_cast<size_t>(i)] = std::this_thread::get_id();
            workers[static_cast<size_t>(i)] = worker;
        });
        CHECK(ids[0] == std::this_thread::get_id());  // index 0 on the caller
        CHECK(std::set<std::thread::id>(ids.begin(), ids.end()).size() == ids.size());
        for (int64_t i = 0; i < n; ++i) CHECK(workers[static_cast<size_t>(i)] == i);
    }
}

TEST_CASE("an exception in any task reaches the caller, and the pool keeps working") {
    ThreadPool pool(2);
    for (int64_t n : {2, 40}) {
        for (int64_t failing : {int64_t{0}, n - 1}) {  // on the caller's share and on the worker's
            INFO("n=" << n << " failing=" << failing);
            CHECK_THROWS_AS(pool.parallel_for(n, [&](int64_t i) {
                if (i == failing) throw std::runtime_error("task failed");
            }),
                            std::runtime_error);
            std::atomic<int64_t> sum{0};
            pool.parallel_for(n, [&](int64_t i) { sum.fetch_add(i); });
            CHECK(sum.load() == n * (n - 1) / 2);
        }
    }
}

TEST_CASE("reading ahead leaves the jobs' work alone; extra ranges and unknown threads are ignored") {
    const std::vector<uint8_t> memory(size_t{4} << 20, 1);
    for (int threads : {1, 3}) {
        ThreadPool pool(threads);
        for (int round = 0; round < 20; ++round) {
            for (int t = -1; t <= threads; ++t) pool.read_ahead(t, memory.data(), memory.size());
            for (size_t i = 0; i < ThreadPool::kMaxReadAhead + 2; ++i)  // more than a thread keeps
                pool.read_ahead(0, memory.data() + 4096 * i, 4096);
            pool.read_ahead(threads - 1, memory.data(), 0);
            for (int64_t n : {int64_t{1}, int64_t{threads}, int64_t{100}}) {
                std::vector<std::atomic<int>> runs(static_cast<size_t>(n));
                pool.parallel_for_workers(n, [&](int64_t i, int) { runs[static_cast<size_t>(i)].fetch_add(1); });
                int wrong = 0;
                for (auto& r : runs) wrong += r.load() != 1;
                INFO("threads=" << threads << " n=" << n);
                REQUIRE(wrong == 0);
            }
        }
    }
}

TEST_CASE("workers that fell asleep between jobs wake for the next one") {
    ThreadPool pool(2);
    std::atomic<int> runs{0};
    pool.parallel_for(2, [&](int64_t) { runs.fetch_add(1); });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // past the spin, into the sleep
    pool.parallel_for(2, [&](int64_t) { runs.fetch_add(1); });
    CHECK(runs.load() == 4);
}

}  // namespace
}  // namespace hearth::cpu
