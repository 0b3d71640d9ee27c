// OpenAI response bodies and SSE framing: key names, types and exact bytes.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include "app/server/api_response.h"
#include "app/server/json_text.h"

using namespace hearth;
using namespace hearth::server;

namespace {

ResponseMeta meta() {
    return {"chatcmpl-1", "qwen", std::chrono::system_clock::time_point(std::chrono::seconds(1714566896))};
}

CompletionResult result(std::string text, FinishReason finish) {
    CompletionResult r;
    r.text = std::move(text);
    r.summary.finish = finish;
    r.summary.prompt_tokens = 11;
    r.summary.completion_tokens = 3;
    return r;
}

// Splits SSE output into its events' JSON texts; checks each event's framing on the way.
std::vector<std::string> sse_payloads(const std::string& events) {
    std::vector<std::string> payloads;
    std::size_t at = 0;
    while (at < events.size()) {
        const std::size_t end = events.find("\n\n", at);
        REQUIRE(end != std::string::npos);
        const std::string event = events.substr(at, end - at);
        REQUIRE(event.rfind("data: ", 0) == 0);
        CHECK(event.find('\n') == std::string::npos);
        payloads.push_back(event.substr(6));
        at = end + 2;
    }
    return payloads;
}

nlohmann::json sse_json(const std::string& event) {
    const std::vector<std::string> payloads = sse_payloads(event);
    REQUIRE(payloads.size() == 1);
    return nlohmann::json::parse(payloads[0]);
}

}  // namespace

TEST_CASE("framing: SSE events, [DONE], NDJSON lines and invalid UTF-8") {
    CHECK(sse_event({{"a", "x\ny"}}) == "data: {\"a\":\"x\\ny\"}\n\n");
    CHECK(sse_done() == "data: [DONE]\n\n");
    CHECK(ndjson_line({{"done", false}}) == "{\"done\":false}\n");
    CHECK(json_text(nlohmann::json("caf\xc3\xa9")) == "\"caf\xc3\xa9\"");  // UTF-8 kept, not \u-escaped
    CHECK(json_text(nlohmann::json("a\xe2")) == "\"a\xef\xbf\xbd\"");       // a cut character becomes U+FFFD
}

TEST_CASE("finish reasons: cancelled reads as stop") {
    CHECK(finish_reason_name(FinishReason::stop) == "stop");
    CHECK(finish_reason_name(FinishReason::length) == "length");
    CHECK(finish_reason_name(FinishReason::cancelled) == "stop");
}

TEST_CASE("chat.completion: shape and types") {
    const nlohmann::json body = openai_chat_completion(meta(), result("Hi there", FinishReason::length));
    CHECK(body["id"] == "chatcmpl-1");
    CHECK(body["object"] == "chat.completion");
    CHECK(body["created"].is_number_integer());
    CHECK(body["created"] == 1714566896);
    CHECK(body["model"] == "qwen");
    REQUIRE(body["choices"].size() == 1);
    const nlohmann::json& choice = body["choices"][0];
    CHECK(choice["index"] == 0);
    CHECK(choice["message"] == nlohmann::json{{"role", "assistant"}, {"content", "Hi there"}});
    CHECK(choice["logprobs"].is_null());
    CHECK(choice["finish_reason"] == "length");
    CHECK(body["usage"] == nlohmann::json{{"prompt_tokens", 11}, {"completion_tokens", 3}, {"total_tokens", 14}});
}

TEST_CASE("chat.completion: logprobs in OpenAI's shape, with raw bytes and -9999 for -inf") {
    CompletionResult r = result("\xc3\xa9!", FinishReason::stop);
    r.logprobs = std::vector<TokenLogprob>{
        {"\xc3\xa9", -0.5f, {{"\xc3\xa9", -0.5f}, {"e", -1.25f}}},
        {"!", -INFINITY, {}},
    };
    const nlohmann::json logprobs = openai_chat_completion(meta(), r)["choices"][0]["logprobs"];
    REQUIRE(logprobs["content"].size() == 2);
    const nlohmann::json& first = logprobs["content"][0];
    CHECK(first["token"] == "\xc3\xa9");
    CHECK(first["logprob"] == -0.5);
    CHECK(first["bytes"] == nlohmann::json{195, 169});
    REQUIRE(first["top_logprobs"].size() == 2);
    CHECK(first["top_logprobs"][1] == nlohmann::json{{"token", "e"}, {"logprob", -1.25}, {"bytes", {101}}});
    CHECK(logprobs["content"][1]["logprob"] == -9999.0);
    CHECK(logprobs["content"][1]["top_logprobs"] == nlohmann::json::array());

    r.logprobs = std::vector<TokenLogprob>{};  // asked for, none generated: an empty list, not null
    CHECK(openai_chat_completion(meta(), r)["choices"][0]["logprobs"] == nlohmann::json{{"content", nlohmann::json::array()}});
}

TEST_CASE("a token holding part of a character serializes with its bytes intact") {
    CompletionResult r = result("", FinishReason::stop);
    r.logprobs = std::vector<TokenLogprob>{{"\xe2\x82", -0.1f, {}}};
    const std::string text = json_text(openai_chat_completion(meta(), r));
    const nlohmann::json entry = nlohmann::json::parse(text)["choices"][0]["logprobs"]["content"][0];
    CHECK(entry["bytes"] == nlohmann::json{226, 130});
    CHECK(entry["token"] == "\xef\xbf\xbd");
}

TEST_CASE("text_completion: shape and legacy logprobs") {
    CompletionResult r = result("ab c", FinishReason::stop);
    r.logprobs = std::vector<TokenLogprob>{{"ab", -0.25f, {{"ab", -0.25f}, {"a", -2.0f}}}, {" c", -1.0f, {}}};
    const nlohmann::json body = openai_text_completion(meta(), r);
    CHECK(body["object"] == "text_completion");
    const nlohmann::json& choice = body["choices"][0];
    CHECK(choice["text"] == "ab c");
    CHECK(choice["index"] == 0);
    CHECK(choice["finish_reason"] == "stop");
    const nlohmann::json& logprobs = choice["logprobs"];
    CHECK(logprobs["tokens"] == nlohmann::json{"ab", " c"});
    CHECK(logprobs["token_logprobs"] == nlohmann::json{-0.25, -1.0});
    CHECK(logprobs["top_logprobs"][0] == nlohmann::json{{"ab", -0.25}, {"a", -2.0}});
    CHECK(logprobs["top_logprobs"][1] == nlohmann::json::object());
    CHECK(logprobs["text_offset"] == nlohmann::json{0, 2});
    CHECK(body["usage"]["total_tokens"] == 14);
    CHECK(openai_text_completion(meta(), result("x", FinishReason::stop))["choices"][0]["logprobs"].is_null());
}

TEST_CASE("chat stream: role chunk, content chunks, finish chunk, [DONE]") {
    GenerationRequest request;
    request.stream = true;
    OpenAiStream stream(meta(), request);

    const nlohmann::json first = sse_json(stream.begin());
    CHECK(first["object"] == "chat.completion.chunk");
    CHECK(first["id"] == "chatcmpl-1");
    CHECK(first["created"] == 1714566896);
    CHECK(first["choices"][0]["delta"] == nlohmann::json{{"role", "assistant"}, {"content", ""}});
    CHECK(first["choices"][0]["finish_reason"].is_null());
    CHECK_FALSE(first.contains("usage"));

    const nlohmann::json piece = sse_json(stream.text("Hel\"lo\n"));
    CHECK(piece["choices"][0]["delta"] == nlohmann::json{{"content", "Hel\"lo\n"}});
    CHECK(piece["choices"][0]["logprobs"].is_null());
    CHECK(piece["choices"][0]["index"] == 0);

    const std::string end = stream.end({FinishReason::length, 4, 2, {}});
    const std::vector<std::string> payloads = sse_payloads(end);
    REQUIRE(payloads.size() == 2);
    const nlohmann::json last = nlohmann::json::parse(payloads[0]);
    CHECK(last["choices"][0]["delta"] == nlohmann::json::object());
    CHECK(last["choices"][0]["finish_reason"] == "length");
    CHECK(payloads[1] == "[DONE]");
    CHECK(end.ends_with("data: [DONE]\n\n"));
}

TEST_CASE("chat stream: include_usage adds usage null everywhere and a usage chunk; logprobs per delta") {
    GenerationRequest request;
    request.stream = true;
    request.include_usage = true;
    request.logprobs = true;
    OpenAiStream stream(meta(), request);
    CHECK(sse_json(stream.begin())["usage"].is_null());
    const TokenLogprob token{"Hi", -0.5f, {}};
    const nlohmann::json piece = sse_json(stream.text("Hi", std::span(&token, 1)));
    CHECK(piece["usage"].is_null());
    CHECK(piece["choices"][0]["logprobs"]["content"][0]["token"] == "Hi");

    const std::vector<std::string> payloads = sse_payloads(stream.end({FinishReason::stop, 5, 1, {}}));
    REQUIRE(payloads.size() == 3);
    CHECK(nlohmann::json::parse(payloads[0])["usage"].is_null());
    const nlohmann::json usage = nlohmann::json::parse(payloads[1]);
    CHECK(usage["object"] == "chat.completion.chunk");
    CHECK(usage["choices"] == nlohmann::json::array());
    CHECK(usage["usage"] == nlohmann::json{{"prompt_tokens", 5}, {"completion_tokens", 1}, {"total_tokens", 6}});
    CHECK(payloads[2] == "[DONE]");
}

TEST_CASE("completion stream: text chunks with running text offsets") {
    GenerationRequest request;
    request.kind = GenerationRequest::Kind::completion;
    request.logprobs = true;
    OpenAiStream stream(meta(), request);
    CHECK(stream.begin().empty());
    const TokenLogprob first_token{"Once", -0.1f, {}};
    const nlohmann::json first = sse_json(stream.text("Once", std::span(&first_token, 1)));
    CHECK(first["object"] == "text_completion");
    CHECK(first["choices"][0]["text"] == "Once");
    CHECK(first["choices"][0]["logprobs"]["text_offset"] == nlohmann::json{0});
    const TokenLogprob second_token{" upon", -0.2f, {}};
    const nlohmann::json second = sse_json(stream.text(" upon", std::span(&second_token, 1)));
    CHECK(second["choices"][0]["logprobs"]["text_offset"] == nlohmann::json{4});
    const std::vector<std::string> payloads = sse_payloads(stream.end({FinishReason::stop, 1, 2, {}}));
    REQUIRE(payloads.size() == 2);
    const nlohmann::json last = nlohmann::json::parse(payloads[0]);
    CHECK(last["choices"][0]["text"] == "");
    CHECK(last["choices"][0]["finish_reason"] == "stop");
}

TEST_CASE("/v1/models lists each model") {
    const std::vector<ModelInfo> models = {
        {"qwen", 123, "ab", std::chrono::system_clock::time_point(std::chrono::seconds(1700000000)), "qwen2", "7.6B",
         "Q4_K_M"}};
    const nlohmann::json body = openai_models(models);
    CHECK(body["object"] == "list");
    REQUIRE(body["data"].size() == 1);
    CHECK(body["data"][0] ==
          nlohmann::json{{"id", "qwen"}, {"object", "model"}, {"created", 1700000000}, {"owned_by", "hearth"}});
    CHECK(openai_models({})["data"] == nlohmann::json::array());
}
