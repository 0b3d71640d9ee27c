// POST /v1/completions bodies.
#include <doctest/doctest.h>

#include <string>

#include "app/server/api_request.h"
#include "tests/server/api_test_helpers.h"

using namespace hearth;
using namespace hearth::server;
using hearth::server::test::check_rejects;

namespace {

const auto parse_completion = [](std::string_view body, const ApiLimits& limits) {
    return parse_openai_completion(body, limits);
};

std::string completion_with(const std::string& extra) { return R"({"model": "m", "prompt": "Once")" + extra + "}"; }

}  // namespace

TEST_CASE("openai completion: a prompt string or an array of one string") {
    const GenerationRequest r = parse_openai_completion(R"({"model": "m", "prompt": "Once upon"})");
    CHECK(r.kind == GenerationRequest::Kind::completion);
    CHECK(r.model == "m");
    CHECK(r.prompt == "Once upon");
    CHECK(r.messages.empty());
    CHECK(r.max_tokens == ApiLimits{}.max_tokens_cap);
    CHECK_FALSE(r.logprobs);
    CHECK_FALSE(r.stream);
    CHECK(parse_openai_completion(R"({"prompt": ["In the"]})").prompt == "In the");
    CHECK(parse_openai_completion(R"({"prompt": ""})").prompt.empty());
}

TEST_CASE("openai completion: fields map like chat's, logprobs is a count") {
    const GenerationRequest r = parse_openai_completion(completion_with(
        R"(, "max_tokens": 16, "temperature": 0, "stop": ["\n"], "stream": true, "stream_options": {"include_usage": true},
            "logprobs": 2, "echo": false, "suffix": "", "best_of": 1, "n": 1, "seed": 5)"));
    CHECK(r.max_tokens == 16);
    CHECK(r.sampling.greedy());
    CHECK(r.stop == std::vector<std::string>{"\n"});
    CHECK(r.stream);
    CHECK(r.include_usage);
    CHECK(r.logprobs);
    CHECK(r.top_logprobs == 2);
    CHECK(r.sampling.seed == 5);
    const GenerationRequest zero = parse_openai_completion(completion_with(R"(, "logprobs": 0)"));
    CHECK(zero.logprobs);
    CHECK(zero.top_logprobs == 0);
}

TEST_CASE("openai completion: malformed and unsupported prompts and fields") {
    check_rejects(parse_completion, R"({"model": "m"})", {"prompt", "missing_required_parameter"});
    check_rejects(parse_completion, R"({"prompt": 5})", {"prompt", "invalid_type"});
    check_rejects(parse_completion, R"({"prompt": []})", {"prompt", "empty_array"});
    check_rejects(parse_completion, R"({"prompt": [{}]})", {"prompt[0]", "invalid_type"});
    check_rejects(parse_completion, R"({"prompt": [1, 2, 3]})", {"prompt", "unsupported_value"});
    check_rejects(parse_completion, R"({"prompt": [[1, 2]]})", {"prompt", "unsupported_value"});
    check_rejects(parse_completion, R"({"prompt": ["a", "b"]})", {"prompt", "unsupported_value"});
    check_rejects(parse_completion, completion_with(R"(, "logprobs": true)"), {"logprobs", "invalid_type"});
    check_rejects(parse_completion, completion_with(R"(, "logprobs": 21)"), {"logprobs", "invalid_value"});
    check_rejects(parse_completion, completion_with(R"(, "echo": true)"), {"echo", "unsupported_value"});
    check_rejects(parse_completion, completion_with(R"(, "echo": 1)"), {"echo", "invalid_type"});
    check_rejects(parse_completion, completion_with(R"(, "suffix": "end")"), {"suffix", "unsupported_value"});
    check_rejects(parse_completion, completion_with(R"(, "best_of": 3)"), {"best_of", "unsupported_value"});
    check_rejects(parse_completion, completion_with(R"(, "n": 2)"), {"n", "unsupported_value"});
    check_rejects(parse_completion, completion_with(R"(, "top_p": "x")"), {"top_p", "invalid_type"});
    check_rejects(parse_completion, completion_with(R"(, "max_tokens": -1)"), {"max_tokens", "invalid_value"});
    check_rejects(parse_completion, completion_with(R"(, "stop": {"a": 1})"), {"stop", "invalid_type"});
    check_rejects(parse_completion, "[]", {"body", "invalid_type"});

    ApiLimits tiny_text;
    tiny_text.max_content_bytes = 3;
    check_rejects(parse_completion, completion_with(""), {"prompt", "string_above_max_length"}, tiny_text);
}
