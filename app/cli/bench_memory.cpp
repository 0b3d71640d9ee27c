#include "app/cli/bench_memory.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "app/cli/bench_stats.h"
#include "core/error.h"

namespace hearth::cli {
namespace {

// A plain sum the compiler vectorises, cloned for the widest vector loads the CPU has (the decode
// kernels read with 32- and 64-byte loads too); the result is kept so the reads cannot be dropped.
#if defined(__x86_64__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
uint64_t sum_words(const uint64_t* words, int64_t count) {
    uint64_t a = 0, b = 0, c = 0, d = 0;
    int64_t i = 0;
    for (; i + 4 <= count; i += 4) {
        a += words[i];
        b += words[i + 1];
        c += words[i + 2];
        d += words[i + 3];
    }
    for (; i < count; ++i) a += words[i];
    return a + b + c + d;
}

}  // namespace

ReadBandwidthProbe::ReadBandwidthProbe(int threads, int64_t buffer_bytes) : threads_(threads), words_(buffer_bytes / 8) {
    require(threads > 0 && buffer_bytes >= (int64_t{1} << 20), ErrorKind::bad_request,
            "bandwidth: threads and buffer must be positive (buffer at least 1 MiB)");
    auto* const words = reinterpret_cast<uint64_t*>(memory_.allocate(static_cast<uint64_t>(words_) * 8));
    std::fill_n(words, words_, uint64_t{1});  // commit every page before timing
    buffer_ = words;
}

double ReadBandwidthProbe::measure(int runs) {
    require(runs > 0, ErrorKind::bad_request, "bandwidth: runs must be positive");
    std::vector<double> gbps;
    std::vector<uint64_t> sums(threads_);
    for (int run = 0; run < runs; ++run) {
        const auto start = std::chrono::steady_clock::now();
        std::vector<std::thread> workers;
        for (int t = 0; t < threads_; ++t)
            workers.emplace_back([&, t] {
                const int64_t begin = words_ * t / threads_, end = words_ * (t + 1) / threads_;
                sums[t] = sum_words(buffer_ + begin, end - begin);
            });
        for (auto& w : workers) w.join();
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        uint64_t total = 0;
        for (uint64_t s : sums) total += s;
        require(total == static_cast<uint64_t>(words_), ErrorKind::internal, "bandwidth: the buffer sum is wrong");
        gbps.push_back(static_cast<double>(words_ * 8) / seconds / 1e9);
    }
    return median(gbps);
}

}  // namespace hearth::cli
