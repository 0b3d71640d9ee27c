#include "app/cli/bench_memory.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "backends/cpu/huge_page_memory.h"
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

double measure_read_bandwidth(int threads, int64_t buffer_bytes, int runs) {
    require(threads > 0 && buffer_bytes >= (int64_t{1} << 20) && runs > 0, ErrorKind::bad_request,
            "bandwidth: threads, buffer and runs must be positive");
    const int64_t words = buffer_bytes / 8;
    // The memory the CPU backend keeps its weights in (huge pages where the kernel grants them):
    // with 4 KiB pages the read would also time a TLB miss per page, which decoding does not pay.
    cpu::HugePageMemory memory;
    auto* const buffer = reinterpret_cast<uint64_t*>(memory.allocate(static_cast<uint64_t>(words) * 8));
    std::fill_n(buffer, words, uint64_t{1});  // commit every page before timing
    std::vector<double> gbps;
    std::vector<uint64_t> sums(threads);
    for (int run = 0; run < runs; ++run) {
        const auto start = std::chrono::steady_clock::now();
        std::vector<std::thread> workers;
        for (int t = 0; t < threads; ++t)
            workers.emplace_back([&, t] {
                const int64_t begin = words * t / threads, end = words * (t + 1) / threads;
                sums[t] = sum_words(buffer + begin, end - begin);
            });
        for (auto& w : workers) w.join();
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        uint64_t total = 0;
        for (uint64_t s : sums) total += s;
        require(total == static_cast<uint64_t>(words), ErrorKind::internal, "bandwidth: the buffer sum is wrong");
        gbps.push_back(static_cast<double>(words * 8) / seconds / 1e9);
    }
    std::sort(gbps.begin(), gbps.end());
    return gbps[gbps.size() / 2];
}

}  // namespace hearth::cli
