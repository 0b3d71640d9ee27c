#include "app/cli/bench_parallel.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <thread>

#include "app/cli/bench_stats.h"
#include "core/engine/engine.h"
#include "core/error.h"

namespace hearth::cli {
namespace {

using Clock = std::chrono::steady_clock;

Request bench_request(const ParallelBenchTest& test, int32_t n_vocab, uint64_t seed) {
    Request r;
    r.prompt = bench_tokens(test.n_prompt, n_vocab, seed);
    r.options.max_tokens = test.n_gen;
    r.options.ignore_eos = true;  // every stream generates exactly n_gen tokens
    r.options.sampling.temperature = 0.0f;
    return r;
}

// One repetition: returns aggregate tokens/s; appends each stream's time to first token.
double timed_round(Engine& engine, const ParallelBenchTest& test, int32_t n_vocab, uint64_t round,
                   std::vector<double>& ttft_ms, std::vector<double>& waste) {
    const auto start = Clock::now();
    std::vector<std::shared_ptr<RequestStream>> streams;
    for (int32_t i = 0; i < test.n_parallel; ++i)
        streams.push_back(engine.submit(bench_request(test, n_vocab, round * 1000 + static_cast<uint64_t>(i) + 1)));
    auto all_done = [&] { return std::all_of(streams.begin(), streams.end(), [](auto& s) { return s->finished(); }); };
    while (!all_done()) {
        const KvCacheStats kv = engine.stats().kv;
        if (kv.pages_used > 0) waste.push_back(kv.waste());
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    int64_t generated = 0;
    for (auto& s : streams) {
        const RequestResult r = s->result();
        require(r.finish == FinishReason::length, ErrorKind::internal,
                std::string("a bench stream ended early: ") + to_string(r.finish) + " " + r.error);
        generated += r.generated_tokens;
        ttft_ms.push_back(r.timing.time_to_first_token_seconds * 1e3);
    }
    return static_cast<double>(generated) / seconds;
}

}  // namespace

double ParallelBenchResult::avg_ts() const { return mean(samples_ts); }
double ParallelBenchResult::stddev_ts() const { return stddev(samples_ts); }

double ParallelBenchResult::ttft_percentile_ms(double p) const {
    if (ttft_ms.empty()) return 0.0;
    std::vector<double> sorted = ttft_ms;
    std::sort(sorted.begin(), sorted.end());
    const double rank = p / 100.0 * static_cast<double>(sorted.size() - 1);  // linear interpolation
    const size_t low = static_cast<size_t>(std::floor(rank));
    const size_t high = std::min(low + 1, sorted.size() - 1);
    return sorted[low] + (sorted[high] - sorted[low]) * (rank - static_cast<double>(low));
}

ParallelBenchResult run_parallel_bench(const LoadedModel& model, const ParallelBenchTest& test,
                                       const ParallelBenchOptions& options) {
    require(test.n_parallel > 0 && test.n_prompt > 0 && test.n_gen > 0, ErrorKind::bad_request,
            "a parallel bench needs streams, prompt tokens and generated tokens");
    require(options.repetitions > 0, ErrorKind::bad_request, "repetitions must be positive");
    EngineOptions engine_options;
    engine_options.scheduler.n_ctx = test.n_prompt + test.n_gen + 1;
    engine_options.scheduler.max_sequences = test.n_parallel;
    engine_options.scheduler.max_batch_tokens = std::max(options.max_batch_tokens, test.n_parallel);
    engine_options.kv_bytes = options.kv_bytes;
    engine_options.kv_type = options.kv_type;
    Engine engine(model.model(), model.tokenizer(), engine_options);
    const int32_t n_vocab = model.model().config().n_vocab;

    ParallelBenchResult result{test, {}, {}, 0.0};
    std::vector<double> ignored_ttft, waste;
    timed_round(engine, test, n_vocab, 0, ignored_ttft, waste);  // warm-up
    waste.clear();
    for (int32_t r = 1; r <= options.repetitions; ++r)
        result.samples_ts.push_back(timed_round(engine, test, n_vocab, static_cast<uint64_t>(r), result.ttft_ms, waste));
    result.kv_waste = mean(waste);
    return result;
}

}  // namespace hearth::cli
