#include "app/cli/bench_runner.h"

#include <chrono>
#include <cmath>
#include <numeric>

#include "app/cli/bench_stats.h"
#include "core/engine/session.h"
#include "core/error.h"

namespace hearth::cli {
namespace {

// One repetition: fill the depth (untimed), then time the prompt and the generation.
double timed_run(Session& session, const BenchTest& test, int32_t n_vocab) {
    session.reset();
    if (test.n_depth > 0) session.feed(bench_tokens(test.n_depth, n_vocab, 1));
    const auto prompt = bench_tokens(test.n_prompt, n_vocab, 2);
    const auto start = std::chrono::steady_clock::now();
    if (test.n_prompt > 0) session.feed(prompt);
    int32_t token = 1;
    for (int32_t i = 0; i < test.n_gen; ++i) {
        session.feed(std::span<const int32_t>(&token, 1));
        token = (token * 7919 + 17) % n_vocab;
    }
    return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

std::string BenchTest::name() const {
    std::string name = n_prompt > 0 ? "pp" + std::to_string(n_prompt) : "tg" + std::to_string(n_gen);
    if (n_prompt > 0 && n_gen > 0) name += "+tg" + std::to_string(n_gen);
    if (n_depth > 0) name += " @ d" + std::to_string(n_depth);
    return name;
}

double BenchResult::avg_ns() const { return mean(samples_ns); }
double BenchResult::stddev_ns() const { return stddev(samples_ns); }

std::vector<double> BenchResult::samples_ts() const {
    std::vector<double> ts;
    const double tokens = test.n_prompt + test.n_gen;
    for (double ns : samples_ns) ts.push_back(tokens * 1e9 / ns);
    return ts;
}

double BenchResult::avg_ts() const { return mean(samples_ts()); }
double BenchResult::stddev_ts() const { return stddev(samples_ts()); }

std::vector<double> BenchResult::bandwidth_shares(int64_t bytes_per_token) const {
    std::vector<double> shares;
    if (bandwidth_gbps.size() != samples_ns.size() + 1) return shares;
    const std::vector<double> ts = samples_ts();
    for (size_t r = 0; r < ts.size(); ++r) {
        const double read_gbps = static_cast<double>(bytes_per_token) * ts[r] / 1e9;
        shares.push_back(read_gbps / ((bandwidth_gbps[r] + bandwidth_gbps[r + 1]) / 2.0));
    }
    return shares;
}

BenchResult run_bench(const LoadedModel& model, const BenchTest& test, const BenchOptions& options) {
    require(test.n_prompt >= 0 && test.n_gen >= 0 && test.n_depth >= 0 && test.n_prompt + test.n_gen > 0,
            ErrorKind::bad_request, "a bench test needs prompt or generated tokens");
    require(options.repetitions > 0, ErrorKind::bad_request, "repetitions must be positive");
    SessionOptions session_options;
    session_options.n_ctx = test.n_depth + test.n_prompt + test.n_gen;
    session_options.n_batch = options.n_batch;
    session_options.kv_type = options.kv_type;
    Session session(model.model(), session_options);
    const int32_t n_vocab = model.model().config().n_vocab;
    BenchResult result{test, {}};
    // Two warm-ups: the first pages in the weights and sizes the buffers; the backend's arena merges
    // the blocks it grew into one at the start of the second, whose first touch is paid there.
    for (int warm_up = 0; warm_up < 2; ++warm_up) timed_run(session, test, n_vocab);
    for (int32_t r = 0; r < options.repetitions; ++r) {
        if (options.read_bandwidth) result.bandwidth_gbps.push_back(options.read_bandwidth());
        result.samples_ns.push_back(timed_run(session, test, n_vocab));
    }
    if (options.read_bandwidth) result.bandwidth_gbps.push_back(options.read_bandwidth());
    return result;
}

}  // namespace hearth::cli
