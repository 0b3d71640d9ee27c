// Hostile templates must end in a hearth::Error, never a crash, a hang or unbounded memory:
// deep nesting, runaway loops and recursion, huge output and values, malformed input.
#include <doctest/doctest.h>

#include <random>
#include <string>

#include "core/chat/chat_template.h"
#include "core/error.h"

namespace hearth {

namespace {

ChatRenderOptions small_limits() {
    ChatRenderOptions options;
    options.limits.max_output_bytes = 1 << 20;
    options.limits.max_steps = 200'000;
    return options;
}

std::string repeat(std::string_view s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
}

// The template must be rejected with bad_request and a message containing `hint`.
void check_rejected(const std::string& source, std::string_view hint) {
    INFO("template starts: " << source.substr(0, 80));
    try {
        (void)render_chat(source, {}, small_limits());
        FAIL("accepted");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::bad_request);
        CHECK_MESSAGE(std::string(e.what()).find(hint) != std::string::npos, e.what());
    }
}

}  // namespace

TEST_CASE("deep nesting is refused before it can exhaust the stack") {
    check_rejected("{{ " + repeat("(", 20000) + "1" + repeat(")", 20000) + " }}", "nested");
    check_rejected("{{ " + repeat("[", 20000) + repeat("]", 20000) + " }}", "nested");
    check_rejected("{{ " + repeat("not ", 20000) + "x }}", "nested");
    check_rejected("{{ " + repeat("-", 20000) + "1 }}", "nested");
    check_rejected(repeat("{% if true %}", 5000) + repeat("{% endif %}", 5000), "nested");
    check_rejected(repeat("{% for x in [1] %}", 5000) + repeat("{% endfor %}", 5000), "nested");
}

TEST_CASE("runaway loops and recursion hit the step and depth budgets") {
    check_rejected("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "steps");
    check_rejected("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "nested");
    check_rejected("{% macro f() %}{% for i in range(50000) %}{{ f() }}{% endfor %}{% endmacro %}{{ f() }}", "steps");
    check_rejected("{{ range(1000000000)|length }}", "range too big");
    check_rejected("{{ [0] * 100000000 }}", "steps");
}

TEST_CASE("huge output and huge intermediate values are refused") {
    check_rejected("{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}", "output exceeds");
    check_rejected("{{ 'x' * 1000000000000 }}", "exceeds the output limit");
    check_rejected("{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
                   "exceeds the output limit");
    check_rejected("{% set ns = namespace(l=[1]) %}{% for i in range(64) %}{% set ns.l = ns.l + ns.l %}{% endfor %}",
                   "steps");
    check_rejected("{% set ns = namespace(l=[]) %}{% for i in range(100000) %}{% set ns.l = [ns.l] %}{% endfor %}",
                   "nested more than");
}

TEST_CASE("self-referencing namespaces cannot recurse forever") {
    check_rejected("{% set ns = namespace() %}{% set ns.me = ns %}{{ ns }}", "nested too deeply");
    check_rejected("{% set ns = namespace() %}{% set ns.me = ns %}{{ ns|tojson }}", "not JSON serializable");
    // A cycle that is never printed still renders (and is released afterwards).
    CHECK(render_chat("{% set ns = namespace() %}{% set ns.me = [ns] %}ok", {}, small_limits()) == "ok");
}

TEST_CASE("integer overflow is an error rather than wrapping") {
    check_rejected("{{ 9223372036854775807 + 1 }}", "overflow");
    check_rejected("{{ 2 ** 64 }}", "overflow");
    check_rejected("{{ 99999999999999999999 }}", "out of range");
}

TEST_CASE("malformed templates are syntax errors") {
    for (const char* source : {"{{", "{{ 1", "{%", "{% if", "{# open comment", "{% raw %}never closed", "{{ 'x }}",
                               "{{ 1 + }}", "{{ ) }}", "{{ [1, 2 }}", "{% for %}", "{% endif %}", "{% macro %}",
                               "{{ x[ }}", "{{ '\\x4' }}", "{% set %}", "{% if true %}{% else %}{% else %}{% endif %}"}) {
        INFO(source);
        CHECK_THROWS_AS((void)ChatTemplate(source), Error);
    }
}

TEST_CASE("random token soup never escapes as anything but hearth::Error") {
    const std::vector<std::string> pieces = {
        "{{", "}}", "{%", "%}", "{#", "#}", "-", "+", " ", "\n", "if", "for", "in", "endif", "endfor", "set", "=",
        "x", "ns", "namespace()", "loop", ".", "(", ")", "[", "]", "{", "}", "'s'", "\"t\"", "1", "0", "-1", "|",
        "trim", "tojson", "is", "not", "defined", "and", "or", "~", "*", "/", "//", "%", "**", ",", ":", "macro",
        "endmacro", "call", "endcall", "caller()", "range(5)", "messages", "else", "elif", "break", "raw", "endraw",
        "items()", "[::-1]", "1e3", "none", "true", "==", "<", "!=", "'\\n'"};
    std::mt19937 rng(1234);
    int rendered = 0;
    for (int round = 0; round < 3000; ++round) {
        std::string source;
        const int n = 1 + static_cast<int>(rng() % 24);
        for (int i = 0; i < n; ++i) source += pieces[rng() % pieces.size()];
        try {
            (void)render_chat(source, {}, small_limits());
            ++rendered;
        } catch (const Error&) {
            // expected for most soups
        }
    }
    CHECK(rendered > 0);
}

}  // namespace hearth
