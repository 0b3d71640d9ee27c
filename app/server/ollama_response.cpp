// Ollama response bodies: /api/chat and /api/generate, whole or as NDJSON lines.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <utility>

#include "app/server/api_response.h"
#include "app/server/json_text.h"

namespace hearth::server {
namespace {

int64_t to_nanoseconds(double seconds) {
    return std::isfinite(seconds) && seconds > 0 ? std::llround(seconds * 1e9) : 0;
}

// {model, created_at, message | response, done: false}; the text goes where the endpoint puts it.
nlohmann::json ollama_line(OllamaEndpoint endpoint, const ResponseMeta& meta, std::string_view text) {
    nlohmann::json line = {{"model", meta.model}, {"created_at", rfc3339_utc(meta.created)}};
    if (endpoint == OllamaEndpoint::chat) {
        line["message"] = {{"role", "assistant"}, {"content", text}};
    } else {
        line["response"] = text;
    }
    line["done"] = false;
    return line;
}

// Marks the line as the last one and adds why generation ended, the counts and durations.
void add_stats(nlohmann::json& line, const GenerationSummary& summary) {
    line["done"] = true;
    line["done_reason"] = finish_reason_name(summary.finish);
    line["total_duration"] = to_nanoseconds(summary.timings.total_s);
    line["load_duration"] = to_nanoseconds(summary.timings.load_s);
    line["prompt_eval_count"] = summary.prompt_tokens;
    line["prompt_eval_duration"] = to_nanoseconds(summary.timings.prefill_s);
    line["eval_count"] = summary.completion_tokens;
    line["eval_duration"] = to_nanoseconds(summary.timings.decode_s);
}

}  // namespace

nlohmann::json ollama_response(OllamaEndpoint endpoint, const ResponseMeta& meta, const CompletionResult& result) {
    nlohmann::json line = ollama_line(endpoint, meta, result.text);
    add_stats(line, result.summary);
    return line;
}

nlohmann::json ollama_load_response(OllamaEndpoint endpoint, const ResponseMeta& meta) {
    nlohmann::json line = ollama_line(endpoint, meta, "");
    line["done"] = true;
    line["done_reason"] = "load";
    return line;
}

OllamaStream::OllamaStream(OllamaEndpoint endpoint, ResponseMeta meta) : endpoint_(endpoint), meta_(std::move(meta)) {}

std::string OllamaStream::text(std::string_view piece) const {
    return ndjson_line(ollama_line(endpoint_, meta_, piece));
}

std::string OllamaStream::end(const GenerationSummary& summary) const {
    nlohmann::json line = ollama_line(endpoint_, meta_, "");
    add_stats(line, summary);
    return ndjson_line(line);
}

std::string rfc3339_utc(std::chrono::system_clock::time_point time) {
    using namespace std::chrono;
    const auto since_epoch = duration_cast<nanoseconds>(time.time_since_epoch());
    const sys_days day = floor<days>(sys_time<nanoseconds>(since_epoch));
    const year_month_day date(day);
    const hh_mm_ss clock(since_epoch - duration_cast<nanoseconds>(day.time_since_epoch()));
    char text[48];
    std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                  static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                  static_cast<int>(clock.seconds().count()));
    std::string result = text;
    if (const auto fraction = clock.subseconds().count(); fraction != 0) {
        std::snprintf(text, sizeof text, ".%09lld", static_cast<long long>(fraction));
        std::string digits = text;
        digits.erase(digits.find_last_not_of('0') + 1);
        result += digits;
    }
    return result + "Z";
}

}  // namespace hearth::server
