// Small templates, one construct each (whitespace control, loops, scoping, macros, filters,
// tests, methods, errors), must render as jinja2 renders them (tests/data/chat/jinja_cases.json).
#include <doctest/doctest.h>

#include "core/error.h"
#include "tests/chat/golden_files.h"

namespace hearth::test {

TEST_CASE("each Jinja construct renders as jinja2 renders it") {
    const auto cases = read_json(chat_data() / "jinja_cases.json");
    REQUIRE(cases.size() >= 100);
    std::size_t errors = 0;
    for (const auto& c : cases) {
        const std::string name = c.at("name").get<std::string>();
        const std::string source = c.at("template").get<std::string>();
        INFO("case: " << name << "\ntemplate: " << source);
        ChatRenderOptions options;
        if (c.contains("context")) options.extra_context_json = c.at("context").dump();
        if (!c.contains("error")) {
            std::string got;
            try {
                got = render_chat(source, {}, options);
            } catch (const Error& e) {
                FAIL_CHECK("unexpected error: " << e.what());
                continue;
            }
            CHECK(got == c.at("expected").get<std::string>());
            continue;
        }
        ++errors;
        try {
            (void)render_chat(source, {}, options);
            FAIL_CHECK("expected an error like jinja2's: " << c.at("error").get<std::string>());
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::bad_request);
            if (c.at("error_type") == "TemplateError") CHECK(std::string(e.what()) == c.at("error").get<std::string>());
        }
    }
    CHECK(errors >= 20);
}

}  // namespace hearth::test
