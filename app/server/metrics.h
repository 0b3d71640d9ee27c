#pragma once
// Counters and latency histograms of the HTTP server, rendered with the engine's scheduler and
// KV statistics in Prometheus' text exposition format for GET /metrics. Thread-safe.
#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "core/sched/scheduler.h"

namespace hearth::server {

class Histogram {
public:
    static constexpr std::array<double, 12> kBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                       0.5,   1.0,  2.5,   5.0,  10.0, 30.0};
    void observe(double seconds);
    // Appends the _bucket, _sum and _count lines of metric `name`.
    void render(const std::string& name, const std::string& help, std::string& out) const;

private:
    std::array<uint64_t, kBounds.size()> buckets_{};
    uint64_t count_ = 0;
    double sum_ = 0.0;
};

class Metrics {
public:
    void count_request(const std::string& endpoint, int status);
    void count_tokens(int64_t prompt, int64_t completion);
    void observe_time_to_first_token(double seconds);
    void observe_inter_token(double seconds);
    void observe_request_duration(double seconds);
    std::string render(const SchedulerStats& engine) const;

private:
    mutable std::mutex mutex_;
    std::map<std::pair<std::string, int>, uint64_t> requests_;
    uint64_t prompt_tokens_ = 0;
    uint64_t completion_tokens_ = 0;
    Histogram ttft_, inter_token_, duration_;
};

}  // namespace hearth::server
