// POST /tokenize and /detokenize bodies.
#include <doctest/doctest.h>

#include "app/server/api_request.h"
#include "tests/server/api_test_helpers.h"

using namespace hearth::server;
using hearth::server::test::check_rejects;

namespace {

const auto parse_tok = [](std::string_view body, const ApiLimits& limits) { return parse_tokenize(body, limits); };
const auto parse_detok = [](std::string_view body, const ApiLimits& limits) { return parse_detokenize(body, limits); };

}  // namespace

TEST_CASE("tokenize: content and add_special") {
    const TokenizeRequest plain = parse_tokenize(R"({"content": "Hello world"})");
    CHECK(plain.content == "Hello world");
    CHECK_FALSE(plain.add_special);
    CHECK(parse_tokenize(R"({"content": "", "add_special": true})").add_special);
    check_rejects(parse_tok, R"({})", {"content", "missing_required_parameter"});
    check_rejects(parse_tok, R"({"content": 5})", {"content", "invalid_type"});
    check_rejects(parse_tok, R"({"content": "x", "add_special": "yes"})", {"add_special", "invalid_type"});
    ApiLimits tiny_text;
    tiny_text.max_content_bytes = 2;
    check_rejects(parse_tok, R"({"content": "abc"})", {"content", "string_above_max_length"}, tiny_text);
}

TEST_CASE("detokenize: token ids are non-negative 32-bit integers") {
    CHECK(parse_detokenize(R"({"tokens": [1, 0, 2147483647]})").tokens == std::vector<int32_t>{1, 0, 2147483647});
    CHECK(parse_detokenize(R"({"tokens": []})").tokens.empty());
    check_rejects(parse_detok, R"({})", {"tokens", "missing_required_parameter"});
    check_rejects(parse_detok, R"({"tokens": "1 2"})", {"tokens", "invalid_type"});
    check_rejects(parse_detok, R"({"tokens": [1, "2"]})", {"tokens[1]", "invalid_type"});
    check_rejects(parse_detok, R"({"tokens": [1.5]})", {"tokens[0]", "invalid_type"});
    check_rejects(parse_detok, R"({"tokens": [-1]})", {"tokens[0]", "invalid_value"});
    check_rejects(parse_detok, R"({"tokens": [2147483648]})", {"tokens[0]", "invalid_value"});
    ApiLimits two;
    two.max_detokenize_tokens = 2;
    check_rejects(parse_detok, R"({"tokens": [1, 2, 3]})", {"tokens", "array_above_max_length"}, two);
}
