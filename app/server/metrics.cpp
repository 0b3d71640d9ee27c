#include "app/server/metrics.h"

#include <cstdio>

namespace hearth::server {
namespace {

void line(std::string& out, const std::string& text) {
    out += text;
    out += '\n';
}

std::string number(double value) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9g", value);
    return buf;
}

void gauge(std::string& out, const std::string& name, const std::string& help, const std::string& type, double value) {
    line(out, "# HELP " + name + " " + help);
    line(out, "# TYPE " + name + " " + type);
    line(out, name + " " + number(value));
}

}  // namespace

void Histogram::observe(double seconds) {
    for (size_t i = 0; i < kBounds.size(); ++i)
        if (seconds <= kBounds[i]) ++buckets_[i];
    ++count_;
    sum_ += seconds;
}

void Histogram::render(const std::string& name, const std::string& help, std::string& out) const {
    line(out, "# HELP " + name + " " + help);
    line(out, "# TYPE " + name + " histogram");
    for (size_t i = 0; i < kBounds.size(); ++i)
        line(out, name + "_bucket{le=\"" + number(kBounds[i]) + "\"} " + std::to_string(buckets_[i]));
    line(out, name + "_bucket{le=\"+Inf\"} " + std::to_string(count_));
    line(out, name + "_sum " + number(sum_));
    line(out, name + "_count " + std::to_string(count_));
}

void Metrics::count_request(const std::string& endpoint, int status) {
    std::lock_guard lock(mutex_);
    ++requests_[{endpoint, status}];
}

void Metrics::count_tokens(int64_t prompt, int64_t completion) {
    std::lock_guard lock(mutex_);
    prompt_tokens_ += static_cast<uint64_t>(prompt);
    completion_tokens_ += static_cast<uint64_t>(completion);
}

void Metrics::observe_time_to_first_token(double seconds) {
    std::lock_guard lock(mutex_);
    ttft_.observe(seconds);
}

void Metrics::observe_inter_token(double seconds) {
    std::lock_guard lock(mutex_);
    inter_token_.observe(seconds);
}

void Metrics::observe_request_duration(double seconds) {
    std::lock_guard lock(mutex_);
    duration_.observe(seconds);
}

std::string Metrics::render(const SchedulerStats& engine) const {
    std::lock_guard lock(mutex_);
    std::string out;
    line(out, "# HELP hearth_requests_total HTTP requests by endpoint and status.");
    line(out, "# TYPE hearth_requests_total counter");
    for (const auto& [key, count] : requests_)
        line(out, "hearth_requests_total{endpoint=\"" + key.first + "\",status=\"" + std::to_string(key.second) + "\"} " +
                      std::to_string(count));
    gauge(out, "hearth_prompt_tokens_total", "Prompt tokens received.", "counter", static_cast<double>(prompt_tokens_));
    gauge(out, "hearth_completion_tokens_total", "Tokens generated.", "counter", static_cast<double>(completion_tokens_));
    ttft_.render("hearth_time_to_first_token_seconds", "Submission to first generated token.", out);
    inter_token_.render("hearth_inter_token_seconds", "Time between streamed tokens.", out);
    duration_.render("hearth_request_duration_seconds", "Whole generation requests.", out);
    gauge(out, "hearth_queue_depth", "Requests waiting for the engine.", "gauge", engine.waiting);
    gauge(out, "hearth_running_sequences", "Requests holding KV pages.", "gauge", engine.running);
    gauge(out, "hearth_preemptions_total", "Sequences preempted and recomputed.", "counter",
          static_cast<double>(engine.preemptions));
    gauge(out, "hearth_kv_pages_total", "KV cache pages.", "gauge", engine.kv.pages_total);
    gauge(out, "hearth_kv_pages_used", "KV pages referenced by running sequences.", "gauge", engine.kv.pages_used);
    gauge(out, "hearth_kv_pages_cached", "Unreferenced KV pages kept for prefix reuse.", "gauge", engine.kv.pages_cached);
    gauge(out, "hearth_prefix_cache_hit_rate", "Prompt tokens taken from the prefix cache, as a fraction.", "gauge",
          engine.kv.prefix_hit_rate());
    gauge(out, "hearth_prefill_tokens_computed_total", "Prompt tokens actually computed.", "counter",
          static_cast<double>(engine.prefill_tokens_computed));
    return out;
}

}  // namespace hearth::server
