#pragma once
// Timed runs in the manner of llama-bench: prompt processing (pp) of n tokens in batches,
// token generation (tg) one token at a time, each optionally after a context of depth tokens
// that is not timed. Every test is run `repetitions` times after one untimed warm-up.
#include <cstdint>
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
    double avg_ns() const;
    double stddev_ns() const;
    std::vector<double> samples_ts() const;  // tokens per second per repetition
    double avg_ts() const;
    double stddev_ts() const;
};

struct BenchOptions {
    int32_t repetitions = 5;
    int32_t n_batch = 512;
    DType kv_type = DType::F16;
};

BenchResult run_bench(const LoadedModel& model, const BenchTest& test, const BenchOptions& options);

}  // namespace hearth::cli
