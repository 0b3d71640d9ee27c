#pragma once
// Shared checks for the API layer tests: how a parser must reject a body.
#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "app/server/api_error.h"
#include "app/server/api_limits.h"

namespace hearth::server::test {

struct Rejection {
    std::string param;  // the parameter named at fault ("" for none)
    std::string code;   // OpenAI's code ("" for none)
    int status = 400;
    std::string type = "invalid_request_error";
};

// Runs `parse(body, limits)` and checks that it throws exactly the ApiError described.
template <typename Parse>
void check_rejects(Parse parse, std::string_view body, const Rejection& expected, const ApiLimits& limits = {}) {
    INFO("body: " << std::string(body.substr(0, 200)));
    try {
        parse(body, limits);
        FAIL("the body was accepted");
    } catch (const ApiError& error) {
        INFO("message: " << error.message());
        CHECK(error.status() == expected.status);
        CHECK(error.type() == expected.type);
        CHECK(error.param() == expected.param);
        CHECK(error.code() == expected.code);
        CHECK_FALSE(error.message().empty());
    }
}

}  // namespace hearth::server::test
