// POST /v1/chat/completions bodies: each field mapped, each malformed case refused precisely.
#include <doctest/doctest.h>

#include <string>

#include "app/server/api_request.h"
#include "tests/server/api_test_helpers.h"

using namespace hearth;
using namespace hearth::server;
using hearth::server::test::check_rejects;
using hearth::server::test::Rejection;

namespace {

const auto parse_chat = [](std::string_view body, const ApiLimits& limits) { return parse_openai_chat(body, limits); };

// A valid chat body with `extra` members added at the top level (",\"stream\": true").
std::string chat_with(const std::string& extra) {
    return R"({"model": "m", "messages": [{"role": "user", "content": "hi"}])" + extra + "}";
}

// A chat body whose single message is `message`.
std::string chat_message(const std::string& message) { return R"({"messages": [)" + message + "]}"; }

}  // namespace

TEST_CASE("openai chat: a minimal request gets the documented defaults") {
    const ApiLimits limits;
    const GenerationRequest r = parse_openai_chat(R"({"model": "qwen", "messages": [{"role": "user", "content": "Hello"}]})");
    const SamplingParams defaults;
    CHECK(r.kind == GenerationRequest::Kind::chat);
    CHECK(r.model == "qwen");
    REQUIRE(r.messages.size() == 1);
    CHECK(r.messages[0].role == "user");
    CHECK(r.messages[0].content == "Hello");
    CHECK(r.prompt.empty());
    CHECK(r.max_tokens == limits.max_tokens_cap);
    CHECK(r.sampling.temperature == defaults.temperature);
    CHECK(r.sampling.top_k == defaults.top_k);
    CHECK(r.sampling.top_p == defaults.top_p);
    CHECK(r.sampling.min_p == defaults.min_p);
    CHECK(r.sampling.seed == kRandomSeed);
    CHECK(r.stop.empty());
    CHECK_FALSE(r.stream);
    CHECK_FALSE(r.include_usage);
    CHECK_FALSE(r.logprobs);
    CHECK(r.top_logprobs == 0);
    CHECK_FALSE(r.store);
    CHECK_FALSE(r.conversation_id.has_value());
    CHECK_FALSE(r.load_only);
}

TEST_CASE("openai chat: every supported field maps to the request") {
    const GenerationRequest r = parse_openai_chat(R"({
        "model": "m", "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
        "max_completion_tokens": 100, "temperature": 0.25, "top_p": 0.5, "top_k": 7, "min_p": 0.125,
        "presence_penalty": 0.5, "frequency_penalty": -0.5, "repeat_penalty": 1.25, "repeat_last_n": 128,
        "seed": 42, "stop": "END", "stream": true, "stream_options": {"include_usage": true},
        "logprobs": true, "top_logprobs": 3, "n": 1, "response_format": {"type": "text"}, "tools": [],
        "logit_bias": {}, "user": "someone", "metadata": {"x": [1, {"y": 2}]}, "store": true,
        "conversation_id": 9})");
    CHECK(r.messages.size() == 2);
    CHECK(r.messages[0].role == "system");
    CHECK(r.max_tokens == 100);
    CHECK(r.sampling.temperature == 0.25f);
    CHECK(r.sampling.top_p == 0.5f);
    CHECK(r.sampling.top_k == 7);
    CHECK(r.sampling.min_p == 0.125f);
    CHECK(r.sampling.presence_penalty == 0.5f);
    CHECK(r.sampling.frequency_penalty == -0.5f);
    CHECK(r.sampling.repeat_penalty == 1.25f);
    CHECK(r.sampling.repeat_last_n == 128);
    CHECK(r.sampling.seed == 42);
    CHECK(r.stop == std::vector<std::string>{"END"});
    CHECK(r.stream);
    CHECK(r.include_usage);
    CHECK(r.logprobs);
    CHECK(r.top_logprobs == 3);
    CHECK(r.store);
    CHECK(r.conversation_id == 9);
}

TEST_CASE("openai chat: stop as an array, nulls as absent, max_tokens as the older name") {
    const GenerationRequest r = parse_openai_chat(chat_with(
        R"(, "stop": ["a", "\n\n"], "max_tokens": 12, "seed": null, "temperature": null, "stream_options": null)"));
    CHECK(r.stop == std::vector<std::string>{"a", "\n\n"});
    CHECK(r.max_tokens == 12);
    CHECK(r.sampling.seed == kRandomSeed);
    CHECK(r.sampling.temperature == SamplingParams{}.temperature);
    CHECK(parse_openai_chat(chat_with(R"(, "stop": [])")).stop.empty());
    CHECK(parse_openai_chat(chat_with(R"(, "max_tokens": 5, "max_completion_tokens": 5)")).max_tokens == 5);
    CHECK(parse_openai_chat(chat_with(R"(, "temperature": 0)")).sampling.greedy());
}

TEST_CASE("openai chat: content parts, developer, tool and assistant messages") {
    const GenerationRequest r = parse_openai_chat(R"({"messages": [
        {"role": "developer", "content": [{"type": "text", "text": "rule"}]},
        {"role": "user", "content": [{"type": "text", "text": "one"}, {"type": "text", "text": "two"}], "name": "ann"},
        {"role": "assistant", "content": null},
        {"role": "assistant", "tool_calls": []},
        {"role": "tool", "content": "42", "tool_call_id": "c1"}]})");
    REQUIRE(r.messages.size() == 5);
    CHECK(r.messages[0].role == "system");
    CHECK(r.messages[0].content == "rule");
    CHECK(r.messages[1].content == "one\ntwo");
    CHECK(r.messages[2].role == "assistant");
    CHECK(r.messages[2].content.empty());
    CHECK(r.messages[3].content.empty());
    CHECK(r.messages[4].role == "tool");
    CHECK(r.messages[4].content == "42");
}

TEST_CASE("openai chat: seeds cover 0..2^64-2, and -1 asks for a random one") {
    CHECK(parse_openai_chat(chat_with(R"(, "seed": 0)")).sampling.seed == 0);
    CHECK(parse_openai_chat(chat_with(R"(, "seed": 18446744073709551614)")).sampling.seed == UINT64_MAX - 1);
    CHECK(parse_openai_chat(chat_with(R"(, "seed": -1)")).sampling.seed == kRandomSeed);
    check_rejects(parse_chat, chat_with(R"(, "seed": 18446744073709551615)"), {"seed", "invalid_value"});
    check_rejects(parse_chat, chat_with(R"(, "seed": -2)"), {"seed", "invalid_value"});
    check_rejects(parse_chat, chat_with(R"(, "seed": 1.5)"), {"seed", "invalid_type"});
    check_rejects(parse_chat, chat_with(R"(, "seed": "7")"), {"seed", "invalid_type"});
}

TEST_CASE("openai chat: the history extension") {
    const GenerationRequest stored = parse_openai_chat(chat_with(R"(, "conversation_id": 3)"));
    CHECK(stored.store);  // conversation_id implies store
    CHECK(stored.conversation_id == 3);
    CHECK_FALSE(parse_openai_chat(chat_with(R"(, "store": false)")).store);
    check_rejects(parse_chat, chat_with(R"(, "conversation_id": 3, "store": false)"), {"store", "invalid_value"});
    check_rejects(parse_chat, chat_with(R"(, "conversation_id": 0)"), {"conversation_id", "invalid_value"});
    check_rejects(parse_chat, chat_with(R"(, "conversation_id": "3")"), {"conversation_id", "invalid_type"});
    check_rejects(parse_chat, chat_with(R"(, "store": 1)"), {"store", "invalid_type"});
}

TEST_CASE("openai chat: bodies that are not a JSON object") {
    check_rejects(parse_chat, "", {"", "invalid_json"});
    check_rejects(parse_chat, "not json", {"", "invalid_json"});
    check_rejects(parse_chat, R"({"messages": [}")", {"", "invalid_json"});
    check_rejects(parse_chat, R"({"a": 1} trailing)", {"", "invalid_json"});
    check_rejects(parse_chat, R"({"temperature": 1e400})", {"", "invalid_json"});
    check_rejects(parse_chat, "{\"model\": \"\xff\"}", {"", "invalid_json"});  // not UTF-8
    check_rejects(parse_chat, "[1, 2]", {"body", "invalid_type"});
    check_rejects(parse_chat, "\"text\"", {"body", "invalid_type"});
    check_rejects(parse_chat, "null", {"body", "invalid_type"});
}

TEST_CASE("openai chat: messages that are missing, empty or malformed") {
    check_rejects(parse_chat, R"({"model": "m"})", {"messages", "missing_required_parameter"});
    check_rejects(parse_chat, R"({"messages": null})", {"messages", "missing_required_parameter"});
    check_rejects(parse_chat, R"({"messages": []})", {"messages", "empty_array"});
    check_rejects(parse_chat, R"({"messages": "hi"})", {"messages", "invalid_type"});
    check_rejects(parse_chat, chat_message(R"("hi")"), {"messages[0]", "invalid_type"});
    check_rejects(parse_chat, chat_message(R"({"content": "x"})"), {"messages[0].role", "missing_required_parameter"});
    check_rejects(parse_chat, chat_message(R"({"role": "wizard", "content": "x"})"), {"messages[0].role", "invalid_value"});
    check_rejects(parse_chat, chat_message(R"({"role": 1, "content": "x"})"), {"messages[0].role", "invalid_type"});
    check_rejects(parse_chat, chat_message(R"({"role": "user"})"), {"messages[0].content", "missing_required_parameter"});
    check_rejects(parse_chat, chat_message(R"({"role": "user", "content": 5})"), {"messages[0].content", "invalid_type"});
    check_rejects(parse_chat, chat_message(R"({"role": "user", "content": [{"type": "image_url", "image_url": {}}]})"),
                  {"messages[0].content[0].type", "unsupported_value"});
    check_rejects(parse_chat, chat_message(R"({"role": "user", "content": [{"type": "text"}]})"),
                  {"messages[0].content[0].text", "missing_required_parameter"});
    check_rejects(parse_chat, chat_message(R"({"role": "user", "content": ["text"]})"),
                  {"messages[0].content[0]", "invalid_type"});
    check_rejects(parse_chat, chat_message(R"({"role": "assistant", "tool_calls": [{"id": "c"}]})"),
                  {"messages[0].tool_calls", "unsupported_value"});
    // The second message is the bad one: the path names it.
    check_rejects(parse_chat,
                  R"({"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": false}]})",
                  {"messages[1].content", "invalid_type"});
}

TEST_CASE("openai chat: a wrong type for each scalar field") {
    for (const char* field : {"temperature", "top_p", "top_k", "min_p", "presence_penalty", "frequency_penalty",
                              "repeat_penalty", "repeat_last_n", "max_tokens", "max_completion_tokens", "top_logprobs",
                              "n"}) {
        check_rejects(parse_chat, chat_with(std::string(", \"") + field + "\": \"hot\""), {field, "invalid_type"});
    }
    for (const char* field : {"stream", "logprobs", "store"}) {
        check_rejects(parse_chat, chat_with(std::string(", \"") + field + "\": \"yes\""), {field, "invalid_type"});
    }
    check_rejects(parse_chat, chat_with(R"(, "model": 5)"), {"model", "invalid_type"});
    check_rejects(parse_chat, chat_with(R"(, "top_k": 4.5)"), {"top_k", "invalid_type"});
    check_rejects(parse_chat, chat_with(R"(, "max_tokens": 10.0)"), {"max_tokens", "invalid_type"});
    check_rejects(parse_chat, chat_with(R"(, "temperature": [1])"), {"temperature", "invalid_type"});
}

TEST_CASE("openai chat: values out of range") {
    const ApiLimits limits;
    const std::string above_cap = std::to_string(limits.max_tokens_cap + 1);
    for (const std::string& extra : std::vector<std::string>{", \"temperature\": 2.5", ", \"temperature\": -0.1", ", \"top_p\": 1.5", ", \"top_p\": -1", ", \"top_k\": -1",
          ", \"min_p\": 2", ", \"presence_penalty\": 2.5", ", \"frequency_penalty\": -3", ", \"repeat_penalty\": 0",
          ", \"repeat_last_n\": -2", ", \"max_tokens\": 0", ", \"max_tokens\": " + above_cap,
          ", \"max_completion_tokens\": -5", ", \"top_k\": 9223372036854775807", ", \"top_k\": 18446744073709551615"}) {
        const std::string field = extra.substr(3, extra.find('"', 3) - 3);
        check_rejects(parse_chat, chat_with(extra), {field, "invalid_value"});
    }
    check_rejects(parse_chat, chat_with(R"(, "max_tokens": 5, "max_completion_tokens": 6)"),
                  {"max_completion_tokens", "invalid_value"});
}

TEST_CASE("openai chat: stop strings") {
    check_rejects(parse_chat, chat_with(R"(, "stop": 5)"), {"stop", "invalid_type"});
    check_rejects(parse_chat, chat_with(R"(, "stop": [1])"), {"stop[0]", "invalid_type"});
    check_rejects(parse_chat, chat_with(R"(, "stop": ["a", ""])"), {"stop[1]", "invalid_value"});
    check_rejects(parse_chat, chat_with(R"(, "stop": "")"), {"stop", "invalid_value"});
    std::string many = ", \"stop\": [";
    for (int i = 0; i < 17; ++i) many += (i ? ", \"s" : "\"s") + std::to_string(i) + "\"";
    check_rejects(parse_chat, chat_with(many + "]"), {"stop", "array_above_max_length"});
    ApiLimits four;
    four.max_stop_strings = 4;
    check_rejects(parse_chat, chat_with(R"(, "stop": ["a", "b", "c", "d", "e"])"), {"stop", "array_above_max_length"},
                  four);
    CHECK(parse_openai_chat(chat_with(R"(, "stop": ["a", "b", "c", "d"])"), four).stop.size() == 4);
    const std::string long_stop = ", \"stop\": \"" + std::string(ApiLimits{}.max_stop_bytes + 1, 'x') + "\"";
    check_rejects(parse_chat, chat_with(long_stop), {"stop", "string_above_max_length"});
}

TEST_CASE("openai chat: stream options and logprobs rules") {
    check_rejects(parse_chat, chat_with(R"(, "stream_options": {"include_usage": true})"),
                  {"stream_options", "invalid_value"});
    check_rejects(parse_chat, chat_with(R"(, "stream": true, "stream_options": {"include_usage": 1})"),
                  {"stream_options.include_usage", "invalid_type"});
    check_rejects(parse_chat, chat_with(R"(, "stream": true, "stream_options": true)"), {"stream_options", "invalid_type"});
    check_rejects(parse_chat, chat_with(R"(, "logprobs": true, "top_logprobs": 21)"), {"top_logprobs", "invalid_value"});
    check_rejects(parse_chat, chat_with(R"(, "top_logprobs": 2)"), {"top_logprobs", "invalid_value"});
    check_rejects(parse_chat, chat_with(R"(, "logprobs": false, "top_logprobs": 2)"), {"top_logprobs", "invalid_value"});
    CHECK(parse_openai_chat(chat_with(R"(, "logprobs": true, "top_logprobs": 20)")).top_logprobs == 20);
}

TEST_CASE("openai chat: parameters Hearth does not serve are refused, not ignored") {
    check_rejects(parse_chat, chat_with(R"(, "n": 2)"), {"n", "unsupported_value"});
    check_rejects(parse_chat, chat_with(R"(, "n": 0)"), {"n", "invalid_value"});
    check_rejects(parse_chat, chat_with(R"(, "response_format": {"type": "json_object"})"),
                  {"response_format.type", "unsupported_value"});
    check_rejects(parse_chat, chat_with(R"(, "response_format": {"type": "json_schema", "json_schema": {}})"),
                  {"response_format.type", "unsupported_value"});
    check_rejects(parse_chat, chat_with(R"(, "response_format": "text")"), {"response_format", "invalid_type"});
    check_rejects(parse_chat, chat_with(R"(, "response_format": {})"),
                  {"response_format.type", "missing_required_parameter"});
    check_rejects(parse_chat, chat_with(R"(, "tools": [{"type": "function"}])"), {"tools", "unsupported_value"});
    check_rejects(parse_chat, chat_with(R"(, "functions": [{"name": "f"}])"), {"functions", "unsupported_value"});
    check_rejects(parse_chat, chat_with(R"(, "logit_bias": {"50256": -100})"), {"logit_bias", "unsupported_value"});
    try {
        parse_openai_chat(chat_with(R"(, "n": 3)"));
        FAIL("n = 3 was accepted");
    } catch (const ApiError& error) {
        CHECK(error.kind() == ErrorKind::unsupported);  // also catchable as hearth::Error
    }
}

TEST_CASE("openai chat: ApiLimits bound the body, the messages and their text") {
    ApiLimits small;
    small.max_body_bytes = 64;
    const std::string body = chat_with(R"(, "user": ")" + std::string(64, 'u') + "\"");
    check_rejects(parse_chat, body, {"", "request_too_large", 413}, small);
    CHECK_NOTHROW(parse_openai_chat(body));

    ApiLimits two;
    two.max_messages = 2;
    const std::string three = R"({"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"},
        {"role": "user", "content": "c"}]})";
    check_rejects(parse_chat, three, {"messages", "array_above_max_length"}, two);
    CHECK(parse_openai_chat(three).messages.size() == 3);

    ApiLimits tiny_text;
    tiny_text.max_content_bytes = 5;
    check_rejects(parse_chat, R"({"messages": [{"role": "user", "content": "abc"}, {"role": "user", "content": "def"}]})",
                  {"messages", "string_above_max_length"}, tiny_text);
    CHECK_NOTHROW(parse_openai_chat(R"({"messages": [{"role": "user", "content": "abcde"}]})", tiny_text));
}
