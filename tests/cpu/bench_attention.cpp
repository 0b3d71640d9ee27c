// Attention alone, as a decode step meets it: one row at position DEPTH over a sequence's cached
// keys, SmolLM2's shape (9 query heads, 3 KV heads of 64, F16 pages of 16 positions), LAYERS layers
// cycled so that each call finds its keys as cold as a model's next token does. Prints the median
// time per call over 300 rounds. With --prompt ROWS, a prompt's ROWS rows at positions DEPTH and on
// instead (median of 5 rounds, and the time per query head and key it sees). With --reverse-pages the
// sequence's pages lie in descending order, as a cache gives out a released sequence's pages when it
// evicts them (last first). A benchmark, not a test (docs/benchmarks.md):
//   build/tests/cpu/bench_cpu_attention [DEPTH=1024] [THREADS=2] [LAYERS=30] [--exact] [--prompt ROWS] [--reverse-pages]
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

struct Options {
    int depth = 1024, threads = 2, n_layer = 30;
    bool exact = false, reverse_pages = false;
    int prompt_rows = 0;
};

int run(const Options& o) {
    const int depth = o.depth, n_layer = o.n_layer;
    constexpr int kHeads = 9, kKvHeads = 3, kHeadDim = 64, kPageSize = 16;
    const int rows = std::max(1, o.prompt_rows), rounds = o.prompt_rows > 0 ? 5 : 300;
    const int kv_dim = kKvHeads * kHeadDim, q_dim = kHeads * kHeadDim, n = depth + rows;
    cpu::CpuBackend backend(cpu::CpuOptions{.n_threads = o.threads, .exact = o.exact});
    const int n_pages = (n + kPageSize - 1) / kPageSize;
    auto pages = backend.create_kv_pages(KvLayout{n_layer, kv_dim, kPageSize, n_pages, DType::F16, kHeadDim});
    std::vector<int32_t> table(n_pages), positions(n), sequences(n, 0);
    if (o.reverse_pages) std::iota(table.rbegin(), table.rend(), 0);
    else std::iota(table.begin(), table.end(), 0);
    std::iota(positions.begin(), positions.end(), 0);
    const std::span<const int32_t> table_span(table);
    std::mt19937 rng(1);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> k(static_cast<size_t>(n) * kv_dim), v(k.size()), q(static_cast<size_t>(rows) * q_dim), out(q.size());
    for (std::vector<float>* values : {&k, &v, &q})
        for (float& x : *values) x = normal(rng);
    for (int layer = 0; layer < n_layer; ++layer)
        backend.kv_store(*pages, layer, Tensor{k.data(), n, kv_dim}, Tensor{v.data(), n, kv_dim},
                         BatchRows{positions, sequences, std::span(&table_span, 1)});
    const AttentionParams params{kHeads, kKvHeads, kHeadDim, 1.0f / std::sqrt(static_cast<float>(kHeadDim)), 0};
    const BatchRows batch{std::span(&positions[depth], rows), std::span(&sequences[depth], rows), std::span(&table_span, 1)};
    std::vector<double> per_call;
    for (int round = 0; round < rounds; ++round) {
        const auto start = std::chrono::steady_clock::now();
        for (int layer = 0; layer < n_layer; ++layer)
            backend.attention(*pages, layer, Tensor{q.data(), rows, q_dim}, batch, params, Tensor{out.data(), rows, q_dim});
        per_call.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() / n_layer);
    }
    std::sort(per_call.begin(), per_call.end());
    const double median = per_call[per_call.size() / 2];
    std::printf("attention, %d row%s at depth %d, %d threads, %d layers, %s pages, %s arithmetic (%s): %.1f us per call (median of %d)",
                rows, rows > 1 ? "s" : "", depth, o.threads, n_layer, o.reverse_pages ? "descending" : "ascending", o.exact ? "exact" : "default",
                std::string(cpu::isa_name(backend.isa())).c_str(), median, rounds);
    const double head_keys = static_cast<double>(kHeads) * rows * (depth + (rows + 1) / 2.0);  // each row sees its own key too
    std::printf(o.prompt_rows > 0 ? ", %.2f ns per head and key\n" : "\n", median * 1e3 / head_keys);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    int* numbers[] = {&o.depth, &o.threads, &o.n_layer};
    for (int i = 1, slot = 0; i < argc; ++i) {
        if (std::strcmp(argv[i], "--exact") == 0) o.exact = true;
        else if (std::strcmp(argv[i], "--reverse-pages") == 0) o.reverse_pages = true;
        else if (std::strcmp(argv[i], "--prompt") == 0 && i + 1 < argc && std::atoi(argv[i + 1]) > 0) o.prompt_rows = std::atoi(argv[++i]);
        else if (slot < 3 && std::atoi(argv[i]) > 0) *numbers[slot++] = std::atoi(argv[i]);
        else return std::fprintf(stderr, "usage: bench_cpu_attention [DEPTH] [THREADS] [LAYERS] [--exact] [--prompt ROWS] [--reverse-pages]\n"), 2;
    }
    try {
        return run(o);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_cpu_attention: %s\n", e.what());
        return 1;
    }
}
