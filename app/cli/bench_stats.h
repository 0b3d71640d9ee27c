#pragma once
// Small helpers shared by the bench modes: statistics and run-independent token ids.
#include <cstdint>
#include <vector>

namespace hearth::cli {

double mean(const std::vector<double>& v);
double stddev(const std::vector<double>& v);  // sample standard deviation; 0 for fewer than 2
double median(std::vector<double> v);         // 0 if empty
// Token ids that depend only on the seed: the prompt content does not change the work done.
std::vector<int32_t> bench_tokens(int32_t count, int32_t n_vocab, uint64_t seed);

}  // namespace hearth::cli
