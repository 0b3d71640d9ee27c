#include "app/cli/bench_stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace hearth::cli {

double mean(const std::vector<double>& v) { return v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / v.size(); }

double stddev(const std::vector<double>& v) {
    if (v.size() < 2) return 0.0;
    const double m = mean(v);
    double sum = 0.0;
    for (double x : v) sum += (x - m) * (x - m);
    return std::sqrt(sum / static_cast<double>(v.size() - 1));
}

double median(std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    const size_t half = v.size() / 2;
    return v.size() % 2 ? v[half] : (v[half - 1] + v[half]) / 2.0;
}

std::vector<int32_t> bench_tokens(int32_t count, int32_t n_vocab, uint64_t seed) {
    std::vector<int32_t> tokens(count);
    for (auto& t : tokens) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        t = static_cast<int32_t>((seed >> 33) % static_cast<uint64_t>(n_vocab));
    }
    return tokens;
}

}  // namespace hearth::cli
