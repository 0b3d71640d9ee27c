#pragma once
// `hearth bench -np N`: N generation streams submitted together to the Engine (continuous
// batching over the paged KV cache), each with its own random prompt so the prefix cache cannot
// help. Reports aggregate generated tokens per second (from the first submit to the last
// token), time to first token percentiles, and the KV cache's measured slot waste.
#include <cstdint>
#include <vector>

#include "core/engine/loaded_model.h"

namespace hearth::cli {

struct ParallelBenchTest {
    int32_t n_parallel = 1;
    int32_t n_prompt = 128;  // prompt tokens per stream
    int32_t n_gen = 128;     // generated tokens per stream
};

struct ParallelBenchResult {
    ParallelBenchTest test;
    std::vector<double> samples_ts;      // aggregate generated tokens/s per repetition
    std::vector<double> ttft_ms;         // every stream's time to first token, all repetitions
    double kv_waste = 0.0;               // mean over samples taken while streams ran
    double avg_ts() const;
    double stddev_ts() const;
    double ttft_percentile_ms(double p) const;
};

struct ParallelBenchOptions {
    int32_t repetitions = 3;
    int32_t max_batch_tokens = 512;
    int64_t kv_bytes = 0;  // 0: the engine's automatic budget
    DType kv_type = DType::F16;
};

ParallelBenchResult run_parallel_bench(const LoadedModel& model, const ParallelBenchTest& test,
                                       const ParallelBenchOptions& options);

}  // namespace hearth::cli
