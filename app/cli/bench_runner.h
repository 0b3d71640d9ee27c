#pragma once
// Timed runs in the manner of llama-bench: prompt processing (pp) of n tokens in batches,
// token generation (tg) one token at a time, each optionally after a context of depth tokens
// that is not timed. Every test is run `repetitions` times after one untimed warm-up.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/engine/loaded_model.h"

namespace hearth::cli {

struct BenchTest {
    int32_t n_prompt = 0;  // tokens processed as a prompt (pp), or 0
    int32_t n_gen = 0;     // tokens generated one by one (tg), or 0
    int32_t n_depth = 0;   // context filled before the timed part
    std::string name() const;  // "pp512", "tg128", "pp512 @ d1024"
};

struct BenchResult {
    BenchTest test;
    std::vector<double> samples_ns;  // one per repetition
    std::vector<double> bandwidth_gbps;  // read bandwidth before each repetition and after the last, if asked
    double avg_ns() const;
    double stddev_ns() const;
    std::vector<double> samples_ts() const;  // tokens per second per repetition
    double avg_ts() const;
    double stddev_ts() const;
    // Per repetition: weight bytes a token reads x its tokens/s, over the mean of the bandwidth
    // readings on either side of it. Empty without bandwidth readings.
    std::vector<double> bandwidth_shares(int64_t bytes_per_token) const;
};

struct BenchOptions {
    int32_t repetitions = 5;
    int32_t n_batch = 512;
    DType kv_type = DType::F16;
    // When set, read right before each timed repetition and after the last (into bandwidth_gbps):
    // a VM's bandwidth moves within minutes, so each repetition is compared with its own readings.
    std::function<double()> read_bandwidth;
};

BenchResult run_bench(const LoadedModel& model, const BenchTest& test, const BenchOptions& options);

}  // namespace hearth::cli
