// Error bodies and the mapping of engine errors to HTTP.
#include <doctest/doctest.h>

#include "app/server/api_error.h"

using namespace hearth;
using namespace hearth::server;

TEST_CASE("openai_error_body: OpenAI's four keys, null where there is nothing to say") {
    const nlohmann::json with_param = openai_error_body(invalid_request("bad top_k", "top_k", "invalid_value"));
    REQUIRE(with_param.contains("error"));
    const nlohmann::json& error = with_param["error"];
    CHECK(error.size() == 4);
    CHECK(error["message"] == "bad top_k");
    CHECK(error["type"] == "invalid_request_error");
    CHECK(error["param"] == "top_k");
    CHECK(error["code"] == "invalid_value");

    const nlohmann::json bare = openai_error_body(invalid_request("no"))["error"];
    CHECK(bare["param"].is_null());
    CHECK(bare["code"].is_null());
}

TEST_CASE("ollama_error_body: a single error string") {
    CHECK(ollama_error_body(invalid_request("model is required")) == nlohmann::json{{"error", "model is required"}});
}

TEST_CASE("ApiError factories") {
    const ApiError missing = model_not_found("llama9");
    CHECK(missing.status() == 404);
    CHECK(missing.type() == "not_found_error");
    CHECK(missing.code() == "model_not_found");
    CHECK(missing.param() == "model");
    CHECK(missing.message().find("llama9") != std::string::npos);
    CHECK(std::string(missing.what()) == missing.message());

    const ApiError large = body_too_large(100, 10);
    CHECK(large.status() == 413);
    CHECK(large.kind() == ErrorKind::bad_request);
    CHECK(unsupported_value("no", "n").kind() == ErrorKind::unsupported);
}

TEST_CASE("to_api_error: engine error kinds become HTTP statuses") {
    struct Case {
        ErrorKind kind;
        int status;
        const char* type;
    };
    for (const Case c : {Case{ErrorKind::bad_request, 400, "invalid_request_error"},
                         Case{ErrorKind::unsupported, 400, "invalid_request_error"},
                         Case{ErrorKind::out_of_memory, 503, "server_error"},
                         Case{ErrorKind::cancelled, 503, "server_error"}, Case{ErrorKind::bad_file, 500, "server_error"},
                         Case{ErrorKind::io, 500, "server_error"}, Case{ErrorKind::internal, 500, "server_error"}}) {
        const ApiError api = to_api_error(Error(c.kind, "prompt too long"));
        INFO(to_string(c.kind));
        CHECK(api.status() == c.status);
        CHECK(api.type() == c.type);
        CHECK(api.kind() == c.kind);
        CHECK(api.message() == "prompt too long");
    }
}
