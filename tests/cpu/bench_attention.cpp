// Attention alone, as a decode step meets it: one row at position DEPTH over a sequence's cached
// keys, SmolLM2's shape (9 query heads, 3 KV heads of 64, F16 pages of 16 positions), LAYERS layers
// cycled so that each call finds its keys as cold as a model's next token does. Prints the median
// time per call over 300 rounds. A benchmark, not a test (docs/benchmarks.md):
//   build/tests/cpu/bench_cpu_attention [DEPTH=1024] [THREADS=2] [LAYERS=30] [--exact]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "backends/cpu/cpu_backend.h"

namespace {

using namespace hearth;

int run(int depth, int threads, int n_layer, bool exact) {
    constexpr int kHeads = 9, kKvHeads = 3, kHeadDim = 64, kPageSize = 16, kRounds = 300;
    const int kv_dim = kKvHeads * kHeadDim, q_dim = kHeads * kHeadDim, n = depth + 1;
    cpu::CpuBackend backend(cpu::CpuOptions{.n_threads = threads, .exact = exact});
    const int n_pages = (n + kPageSize - 1) / kPageSize;
    auto pages = backend.create_kv_pages(KvLayout{n_layer, kv_dim, kPageSize, n_pages, DType::F16});
    std::vector<int32_t> table(n_pages), positions(n), sequences(n, 0);
    std::iota(table.begin(), table.end(), 0);
    std::iota(positions.begin(), positions.end(), 0);
    const std::span<const int32_t> table_span(table);
    std::mt19937 rng(1);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> k(static_cast<size_t>(n) * kv_dim), v(k.size()), q(q_dim), out(q_dim);
    for (std::vector<float>* values : {&k, &v, &q})
        for (float& x : *values) x = normal(rng);
    for (int layer = 0; layer < n_layer; ++layer)
        backend.kv_store(*pages, layer, Tensor{k.data(), n, kv_dim}, Tensor{v.data(), n, kv_dim},
                         BatchRows{positions, sequences, std::span(&table_span, 1)});
    const AttentionParams params{kHeads, kKvHeads, kHeadDim, 1.0f / std::sqrt(static_cast<float>(kHeadDim)), 0};
    const BatchRows row{std::span(&positions[depth], 1), std::span(&sequences[depth], 1), std::span(&table_span, 1)};
    std::vector<double> per_call;
    for (int round = 0; round < kRounds; ++round) {
        const auto start = std::chrono::steady_clock::now();
        for (int layer = 0; layer < n_layer; ++layer)
            backend.attention(*pages, layer, Tensor{q.data(), 1, q_dim}, row, params, Tensor{out.data(), 1, q_dim});
        per_call.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() / n_layer);
    }
    std::sort(per_call.begin(), per_call.end());
    std::printf("attention, depth %d, %d threads, %d layers, %s arithmetic (%s): %.1f us per call (median of %d)\n", depth,
                threads, n_layer, exact ? "exact" : "default", std::string(cpu::isa_name(backend.isa())).c_str(),
                per_call[per_call.size() / 2], kRounds);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<int> numbers = {1024, 2, 30};
    bool exact = false;
    for (int i = 1, slot = 0; i < argc; ++i) {
        if (std::strcmp(argv[i], "--exact") == 0) exact = true;
        else if (slot < 3 && std::atoi(argv[i]) > 0) numbers[slot++] = std::atoi(argv[i]);
        else return std::fprintf(stderr, "usage: bench_cpu_attention [DEPTH] [THREADS] [LAYERS] [--exact]\n"), 2;
    }
    try {
        return run(numbers[0], numbers[1], numbers[2], exact);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_cpu_attention: %s\n", e.what());
        return 1;
    }
}
