// Ollama response bodies: key names, types, nanosecond durations and NDJSON lines.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "app/server/api_response.h"
#include "app/server/json_text.h"

using namespace hearth::server;
using std::chrono::system_clock;

namespace {

const system_clock::time_point kCreated = system_clock::time_point(
    std::chrono::duration_cast<system_clock::duration>(std::chrono::seconds(1714566896) + std::chrono::milliseconds(250)));

ResponseMeta meta() { return {"", "llama3", kCreated}; }

GenerationSummary summary() {
    GenerationSummary s;
    s.finish = FinishReason::length;
    s.prompt_tokens = 26;
    s.completion_tokens = 298;
    s.timings = {0.5, 0.125, 4.0, 4.75};
    return s;
}

void check_stats(const nlohmann::json& line) {
    CHECK(line["done"] == true);
    CHECK(line["done_reason"] == "length");
    for (const char* key : {"total_duration", "load_duration", "prompt_eval_count", "prompt_eval_duration", "eval_count",
                            "eval_duration"}) {
        INFO(key);
        CHECK(line[key].is_number_integer());
    }
    CHECK(line["total_duration"] == 4750000000LL);
    CHECK(line["load_duration"] == 500000000);
    CHECK(line["prompt_eval_count"] == 26);
    CHECK(line["prompt_eval_duration"] == 125000000);
    CHECK(line["eval_count"] == 298);
    CHECK(line["eval_duration"] == 4000000000LL);
}

}  // namespace

TEST_CASE("rfc3339_utc writes Go's RFC3339Nano") {
    CHECK(rfc3339_utc(system_clock::time_point{}) == "1970-01-01T00:00:00Z");
    CHECK(rfc3339_utc(kCreated) == "2024-05-01T12:34:56.25Z");
    const auto nanos = std::chrono::seconds(1714566896) + std::chrono::nanoseconds(123456789);
    CHECK(rfc3339_utc(system_clock::time_point(std::chrono::duration_cast<system_clock::duration>(nanos))) ==
          "2024-05-01T12:34:56.123456789Z");
    const auto before_epoch = std::chrono::duration_cast<system_clock::duration>(std::chrono::seconds(-1));
    CHECK(rfc3339_utc(system_clock::time_point(before_epoch)) == "1969-12-31T23:59:59Z");
    const auto leap_day = std::chrono::duration_cast<system_clock::duration>(std::chrono::seconds(951782400));
    CHECK(rfc3339_utc(system_clock::time_point(leap_day)) == "2000-02-29T00:00:00Z");
}

TEST_CASE("/api/chat non-streamed: message, done and the stats") {
    CompletionResult r;
    r.text = "The sky is blue.";
    r.summary = summary();
    const nlohmann::json body = ollama_response(OllamaEndpoint::chat, meta(), r);
    CHECK(body["model"] == "llama3");
    CHECK(body["created_at"] == "2024-05-01T12:34:56.25Z");
    CHECK(body["message"] == nlohmann::json{{"role", "assistant"}, {"content", "The sky is blue."}});
    CHECK_FALSE(body.contains("response"));
    check_stats(body);
}

TEST_CASE("/api/generate non-streamed: response instead of message") {
    CompletionResult r;
    r.text = "42";
    r.summary = summary();
    const nlohmann::json body = ollama_response(OllamaEndpoint::generate, meta(), r);
    CHECK(body["response"] == "42");
    CHECK_FALSE(body.contains("message"));
    check_stats(body);
}

TEST_CASE("Ollama streams: one NDJSON line per piece, a final line with the stats") {
    const OllamaStream chat(OllamaEndpoint::chat, meta());
    const std::string line = chat.text("Hel\nlo");
    REQUIRE(line.ends_with("\n"));
    CHECK(line.find('\n') == line.size() - 1);
    const nlohmann::json piece = nlohmann::json::parse(line);
    CHECK(piece["message"]["content"] == "Hel\nlo");
    CHECK(piece["done"] == false);
    CHECK_FALSE(piece.contains("done_reason"));

    const std::string last_line = chat.end(summary());
    CHECK(last_line.find('\n') == last_line.size() - 1);
    const nlohmann::json last = nlohmann::json::parse(last_line);
    CHECK(last["message"]["content"] == "");
    check_stats(last);

    const OllamaStream generate(OllamaEndpoint::generate, meta());
    CHECK(nlohmann::json::parse(generate.text("x"))["response"] == "x");
    CHECK(nlohmann::json::parse(generate.end(summary()))["response"] == "");
}

TEST_CASE("load-only requests answer done_reason load") {
    const nlohmann::json generate = ollama_load_response(OllamaEndpoint::generate, meta());
    CHECK(generate["response"] == "");
    CHECK(generate["done"] == true);
    CHECK(generate["done_reason"] == "load");
    CHECK(ollama_load_response(OllamaEndpoint::chat, meta())["message"]["content"] == "");
}

TEST_CASE("/api/tags and /api/version") {
    const std::vector<ModelInfo> models = {{"qwen2.5:7b", 4683087332ULL, "845dbda0ea48",
                                            system_clock::time_point(std::chrono::seconds(1700000000)), "qwen2",
                                            "7.6B", "Q4_K_M"}};
    const nlohmann::json tags = ollama_tags(models);
    REQUIRE(tags["models"].size() == 1);
    const nlohmann::json& model = tags["models"][0];
    CHECK(model["name"] == "qwen2.5:7b");
    CHECK(model["model"] == "qwen2.5:7b");
    CHECK(model["modified_at"] == "2023-11-14T22:13:20Z");
    CHECK(model["size"].is_number_unsigned());
    CHECK(model["size"] == 4683087332ULL);
    CHECK(model["digest"] == "845dbda0ea48");
    CHECK(model["details"] == nlohmann::json{{"parent_model", ""},
                                             {"format", "gguf"},
                                             {"family", "qwen2"},
                                             {"families", {"qwen2"}},
                                             {"parameter_size", "7.6B"},
                                             {"quantization_level", "Q4_K_M"}});
    CHECK(ollama_tags({})["models"] == nlohmann::json::array());
    CHECK(ollama_version("0.1.0") == nlohmann::json{{"version", "0.1.0"}});
}

TEST_CASE("tokenize and detokenize responses") {
    const std::vector<int32_t> tokens = {1, 15043, 0};
    CHECK(json_text(tokenize_response(tokens)) == "{\"tokens\":[1,15043,0]}");
    CHECK(json_text(detokenize_response("Hello")) == "{\"content\":\"Hello\"}");
}
