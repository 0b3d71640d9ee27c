#include <doctest/doctest.h>

#include <string>

#include "core/error.h"
#include "ui/test_script.h"

using namespace hearth;
using namespace hearth::ui;

TEST_CASE("a script parses into steps with their arguments and lines") {
    const auto steps = parse_test_script(
        "# comment\n"
        "wait_model 20\n"
        "\n"
        "set temperature 0\n"
        "set system_prompt You are  terse.\n"
        "click input\n"
        "type 你好, world\n"
        "key Shift+Enter\n"
        "key Ctrl+N\n"
        "frames 3\n"
        "screenshot a.png\n"
        "expect_messages 2\n"
        "expect_error 5 could not load\n"
        "quit");
    REQUIRE(steps.size() == 12);
    CHECK(steps[0].kind == StepKind::wait_model);
    CHECK(steps[0].seconds == 20.0);
    CHECK(steps[0].line == 2);
    CHECK(steps[1].kind == StepKind::set);
    CHECK(steps[1].name == "temperature");
    CHECK(steps[1].text == "0");
    CHECK(steps[2].text == "You are  terse.");
    CHECK(steps[3].name == "input");
    CHECK(steps[4].text == "你好, world");
    CHECK(steps[5].chord.key == "Enter");
    CHECK(steps[5].chord.shift);
    CHECK_FALSE(steps[5].chord.ctrl);
    CHECK(steps[6].chord.key == "N");
    CHECK(steps[6].chord.ctrl);
    CHECK(steps[7].count == 3);
    CHECK(steps[8].name == "a.png");
    CHECK(steps[9].count == 2);
    CHECK(steps[10].kind == StepKind::expect_error);
    CHECK(steps[10].seconds == 5.0);
    CHECK(steps[10].text == "could not load");
    CHECK(steps[11].kind == StepKind::quit);
    CHECK(steps[11].line == 14);
}

TEST_CASE("script errors name the line and the problem") {
    auto message = [](const char* script) {
        try {
            parse_test_script(script);
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::bad_request);
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(message("quit\njump 3") == "line 2: unknown step 'jump'");
    CHECK(message("wait_idle soon").find("line 1: 'soon' is not a number") != std::string::npos);
    CHECK(message("wait_idle 0").find("0 < SECONDS") != std::string::npos);
    CHECK(message("wait_idle 9999").find("0 < SECONDS") != std::string::npos);
    CHECK(message("set temperature").find("KEY and a VALUE") != std::string::npos);
    CHECK(message("key Alt+F4").find("unknown key") != std::string::npos);
    CHECK(message("click").find("name is missing") != std::string::npos);
    CHECK(message("frames -1").find("negative") != std::string::npos);
    CHECK(message("quit now").find("no argument") != std::string::npos);
    CHECK(message("expect_error 5").find("SECONDS and the TEXT") != std::string::npos);
}

TEST_CASE("key chords") {
    CHECK(parse_key_chord("Escape").key == "Escape");
    const KeyChord both = parse_key_chord("Ctrl+Shift+A");
    CHECK(both.ctrl);
    CHECK(both.shift);
    CHECK(both.key == "A");
    CHECK_THROWS_AS(parse_key_chord("n"), Error);
    CHECK_THROWS_AS(parse_key_chord("Ctrl+"), Error);
}
