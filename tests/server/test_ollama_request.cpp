// POST /api/chat and /api/generate bodies.
#include <doctest/doctest.h>

#include <string>

#include "app/server/api_request.h"
#include "tests/server/api_test_helpers.h"

using namespace hearth;
using namespace hearth::server;
using hearth::server::test::check_rejects;

namespace {

const auto parse_chat = [](std::string_view body, const ApiLimits& limits) { return parse_ollama_chat(body, limits); };
const auto parse_generate = [](std::string_view body, const ApiLimits& limits) {
    return parse_ollama_generate(body, limits);
};

std::string chat_with_options(const std::string& options) {
    return R"({"model": "llama3", "messages": [{"role": "user", "content": "hi"}], "options": )" + options + "}";
}

}  // namespace

TEST_CASE("ollama chat: defaults, with stream on") {
    const GenerationRequest r = parse_ollama_chat(R"({"model": "llama3", "messages": [{"role": "user", "content": "hi"}]})");
    CHECK(r.kind == GenerationRequest::Kind::chat);
    CHECK(r.model == "llama3");
    REQUIRE(r.messages.size() == 1);
    CHECK(r.messages[0].content == "hi");
    CHECK(r.stream);
    CHECK(r.max_tokens == ApiLimits{}.max_tokens_cap);
    CHECK(r.sampling.seed == kRandomSeed);
    CHECK(r.sampling.top_k == SamplingParams{}.top_k);
    CHECK_FALSE(r.load_only);
    CHECK_FALSE(r.logprobs);
}

TEST_CASE("ollama chat: options map to sampling, stop and num_predict") {
    const GenerationRequest r = parse_ollama_chat(R"({"model": "m", "stream": false, "keep_alive": "5m",
        "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "u", "images": []},
                     {"role": "assistant", "content": "a"}, {"role": "tool", "content": "t"}],
        "options": {"temperature": 0.5, "top_k": 20, "top_p": 0.75, "min_p": 0.25, "num_predict": 64, "seed": 7,
                    "stop": ["<end>", "###"], "repeat_penalty": 1.5, "repeat_last_n": -1, "presence_penalty": 1,
                    "frequency_penalty": 0.5, "num_ctx": 8192, "num_gpu": 99, "mirostat": 0}})");
    CHECK_FALSE(r.stream);
    REQUIRE(r.messages.size() == 4);
    CHECK(r.messages[3].role == "tool");
    CHECK(r.sampling.temperature == 0.5f);
    CHECK(r.sampling.top_k == 20);
    CHECK(r.sampling.top_p == 0.75f);
    CHECK(r.sampling.min_p == 0.25f);
    CHECK(r.max_tokens == 64);
    CHECK(r.sampling.seed == 7);
    CHECK(r.stop == std::vector<std::string>{"<end>", "###"});
    CHECK(r.sampling.repeat_penalty == 1.5f);
    CHECK(r.sampling.repeat_last_n == -1);
    CHECK(r.sampling.presence_penalty == 1.0f);
    CHECK(r.sampling.frequency_penalty == 0.5f);
}

TEST_CASE("ollama chat: num_predict -1 and -2 mean no limit; 0 and below -2 are refused") {
    CHECK(parse_ollama_chat(chat_with_options(R"({"num_predict": -1})")).max_tokens == ApiLimits{}.max_tokens_cap);
    CHECK(parse_ollama_chat(chat_with_options(R"({"num_predict": -2})")).max_tokens == ApiLimits{}.max_tokens_cap);
    CHECK(parse_ollama_chat(chat_with_options(R"({"stop": "x", "seed": -1})")).stop == std::vector<std::string>{"x"});
    check_rejects(parse_chat, chat_with_options(R"({"num_predict": 0})"), {"options.num_predict", "invalid_value"});
    check_rejects(parse_chat, chat_with_options(R"({"num_predict": -3})"), {"options.num_predict", "invalid_value"});
    check_rejects(parse_chat, chat_with_options(R"({"num_predict": 1000000000})"),
                  {"options.num_predict", "invalid_value"});
}

TEST_CASE("ollama chat: no messages only loads the model") {
    CHECK(parse_ollama_chat(R"({"model": "m"})").load_only);
    CHECK(parse_ollama_chat(R"({"model": "m", "messages": []})").load_only);
}

TEST_CASE("ollama chat: malformed options and messages") {
    check_rejects(parse_chat, chat_with_options(R"("hot")"), {"options", "invalid_type"});
    check_rejects(parse_chat, chat_with_options(R"({"temperature": "hot"})"), {"options.temperature", "invalid_type"});
    check_rejects(parse_chat, chat_with_options(R"({"temperature": 9})"), {"options.temperature", "invalid_value"});
    check_rejects(parse_chat, chat_with_options(R"({"top_k": -1})"), {"options.top_k", "invalid_value"});
    check_rejects(parse_chat, chat_with_options(R"({"seed": -2})"), {"options.seed", "invalid_value"});
    check_rejects(parse_chat, chat_with_options(R"({"stop": [""]})"), {"options.stop[0]", "invalid_value"});
    check_rejects(parse_chat, chat_with_options(R"({"repeat_penalty": 0})"), {"options.repeat_penalty", "invalid_value"});
    check_rejects(parse_chat, R"({"messages": [{"role": "developer", "content": "x"}]})",
                  {"messages[0].role", "invalid_value"});
    check_rejects(parse_chat, R"({"messages": [{"role": "user"}]})", {"messages[0].content", "missing_required_parameter"});
    check_rejects(parse_chat, R"({"messages": [{"role": "user", "content": ["x"]}]})",
                  {"messages[0].content", "invalid_type"});
    check_rejects(parse_chat, R"({"messages": [{"role": "user", "content": "x", "images": ["aGk="]}]})",
                  {"messages[0].images", "unsupported_value"});
    check_rejects(parse_chat, R"({"messages": {"role": "user"}})", {"messages", "invalid_type"});
    check_rejects(parse_chat, R"({"messages": [], "stream": "no"})", {"stream", "invalid_type"});
    check_rejects(parse_chat, R"({"messages": [], "format": "json"})", {"format", "unsupported_value"});
    check_rejects(parse_chat, R"({"messages": [], "tools": [{"type": "function"}]})", {"tools", "unsupported_value"});
    check_rejects(parse_chat, R"({"messages": [], "model": ["m"]})", {"model", "invalid_type"});
    check_rejects(parse_chat, "{", {"", "invalid_json"});
}

TEST_CASE("ollama generate: system and prompt become a chat unless raw") {
    const GenerationRequest chat = parse_ollama_generate(R"({"model": "m", "prompt": "Why?", "system": "Be terse."})");
    CHECK(chat.kind == GenerationRequest::Kind::chat);
    REQUIRE(chat.messages.size() == 2);
    CHECK(chat.messages[0].role == "system");
    CHECK(chat.messages[0].content == "Be terse.");
    CHECK(chat.messages[1].role == "user");
    CHECK(chat.messages[1].content == "Why?");
    CHECK(chat.stream);
    CHECK_FALSE(chat.load_only);

    const GenerationRequest raw = parse_ollama_generate(
        R"({"model": "m", "prompt": "[INST] hi [/INST]", "raw": true, "stream": false, "options": {"num_predict": 8}})");
    CHECK(raw.kind == GenerationRequest::Kind::completion);
    CHECK(raw.prompt == "[INST] hi [/INST]");
    CHECK(raw.messages.empty());
    CHECK(raw.max_tokens == 8);
    CHECK_FALSE(raw.stream);

    CHECK(parse_ollama_generate(R"({"model": "m"})").load_only);
    CHECK(parse_ollama_generate(R"({"model": "m", "prompt": ""})").load_only);
    const GenerationRequest system_only = parse_ollama_generate(R"({"system": "Greet."})");
    CHECK_FALSE(system_only.load_only);
    CHECK(system_only.messages.size() == 1);
}

TEST_CASE("ollama generate: malformed and unsupported fields") {
    check_rejects(parse_generate, R"({"prompt": 5})", {"prompt", "invalid_type"});
    check_rejects(parse_generate, R"({"prompt": "x", "raw": "yes"})", {"raw", "invalid_type"});
    check_rejects(parse_generate, R"({"prompt": "x", "raw": true, "system": "s"})", {"system", "invalid_value"});
    check_rejects(parse_generate, R"({"prompt": "x", "images": ["aGk="]})", {"images", "unsupported_value"});
    check_rejects(parse_generate, R"({"prompt": "x", "template": "{{ .Prompt }}"})", {"template", "unsupported_value"});
    check_rejects(parse_generate, R"({"prompt": "x", "context": [1, 2]})", {"context", "unsupported_value"});
    check_rejects(parse_generate, R"({"prompt": "x", "suffix": "y"})", {"suffix", "unsupported_value"});
    check_rejects(parse_generate, R"({"prompt": "x", "format": {"type": "object"}})", {"format", "unsupported_value"});
    check_rejects(parse_generate, R"({"prompt": "x", "options": {"min_p": -1}})", {"options.min_p", "invalid_value"});
    check_rejects(parse_generate, R"([])", {"body", "invalid_type"});
    ApiLimits tiny_text;
    tiny_text.max_content_bytes = 4;
    check_rejects(parse_generate, R"({"prompt": "abc", "system": "de"})", {"prompt", "string_above_max_length"},
                  tiny_text);
}
