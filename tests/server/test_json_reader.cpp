// The body parser's limits and the typed field reads every parser relies on.
#include <doctest/doctest.h>

#include <string>

#include "app/server/json_reader.h"
#include "tests/server/api_test_helpers.h"

using namespace hearth::server;
using hearth::server::test::check_rejects;

namespace {

const auto parse_object = [](std::string_view body, const ApiLimits& limits) { return parse_json_object(body, limits); };

std::string nested_arrays(std::size_t depth) {
    return "{\"x\": " + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
}

}  // namespace

TEST_CASE("parse_json_object: nesting is bounded before parsing") {
    ApiLimits limits;
    limits.max_json_depth = 8;
    CHECK(parse_json_object(nested_arrays(8), limits).is_object());
    check_rejects(parse_object, nested_arrays(9), {"", ""}, limits);
    // Unbalanced (invalid) input deep enough is refused by the same check.
    check_rejects(parse_object, std::string(100000, '['), {"", ""});
    // Brackets inside strings (escaped quotes included) do not count.
    const std::string in_string = "{\"x\": \"\\\"" + std::string(50, '[') + "\"}";
    CHECK(parse_json_object(in_string, limits)["x"].get<std::string>().size() == 51);
}

TEST_CASE("parse_json_object: size is checked first, then syntax, then the object") {
    ApiLimits limits;
    limits.max_body_bytes = 10;
    check_rejects(parse_object, "{\"a\": \"12345\"}", {"", "request_too_large", 413}, limits);
    CHECK(parse_json_object("{\"a\": 1}", limits).is_object());
    check_rejects(parse_object, "{\"a\" 1}", {"", "invalid_json"});
    check_rejects(parse_object, "7", {"body", "invalid_type"});
}

TEST_CASE("FieldReader: null is absent, paths name nested fields, types are strict") {
    const nlohmann::json object = nlohmann::json::parse(R"({"s": "x", "n": null, "i": 7, "u": 18446744073709551615,
        "f": 2.5, "b": true, "a": [1], "o": {}})");
    const FieldReader fields(object, "options");
    CHECK(fields.find("n") == nullptr);
    CHECK(fields.find("missing") == nullptr);
    CHECK(fields.param("top_k") == "options.top_k");
    CHECK(FieldReader(object, "").param("top_k") == "top_k");
    CHECK(fields.string("s") == "x");
    CHECK_FALSE(fields.string("n").has_value());
    CHECK(fields.integer("i", {0, 10}) == 7);
    CHECK(fields.number("i", {0, 10}) == 7.0);
    CHECK(fields.number("f", {0, 10}) == 2.5);
    CHECK(fields.boolean("b") == true);
    CHECK(fields.array("a") != nullptr);
    CHECK(fields.object("o") != nullptr);
    CHECK_THROWS_AS(fields.integer("f", {0, 10}), ApiError);  // 2.5 is not an integer
    CHECK_THROWS_AS(fields.integer("u", {0, INT64_MAX}), ApiError);
    CHECK_THROWS_AS(fields.integer("i", {8, 10}), ApiError);
    CHECK_THROWS_AS(fields.number("f", {0, 2}), ApiError);
    CHECK_THROWS_AS(fields.string("i"), ApiError);
    CHECK_THROWS_AS(fields.boolean("s"), ApiError);
    CHECK_THROWS_AS(fields.array("o"), ApiError);
    CHECK_THROWS_AS(fields.object("a"), ApiError);
    CHECK_THROWS_AS(fields.required_string("n"), ApiError);
}

TEST_CASE("FieldReader: messages follow OpenAI's wording") {
    const nlohmann::json object = nlohmann::json::parse(R"({"temperature": "hot", "top_k": 99})");
    const FieldReader fields(object, "");
    try {
        (void)fields.number("temperature", {0, 2});
        FAIL("a string was read as a number");
    } catch (const ApiError& error) {
        CHECK(error.message() == "Invalid type for 'temperature': expected a number, but got a string instead.");
    }
    try {
        (void)fields.integer("top_k", {0, 50});
        FAIL("99 was accepted in [0, 50]");
    } catch (const ApiError& error) {
        CHECK(error.message() == "Invalid 'top_k': 99 is out of range; it must be between 0 and 50.");
    }
}
