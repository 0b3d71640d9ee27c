// Unit tests of the Jinja interpreter through the public API: each construct, the variables
// render_chat provides, and how errors are reported.
#include <doctest/doctest.h>

#include <ctime>
#include <string>
#include <vector>

#include "core/chat/chat_template.h"
#include "core/error.h"

namespace hearth {

namespace {

std::string render(std::string_view source, std::string context_json = "") {
    ChatRenderOptions options;
    options.extra_context_json = std::move(context_json);
    return render_chat(source, {}, options);
}

std::string error_of(std::string_view source, std::string context_json = "") {
    try {
        (void)render(source, std::move(context_json));
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::bad_request);
        return e.what();
    }
    FAIL("no error from: " << source);
    return {};
}

}  // namespace

TEST_CASE("text, output and comments") {
    CHECK(render("plain text") == "plain text");
    CHECK(render("a{{ 'b' }}c{# gone #}d") == "abcd");
    CHECK(render("{{ 40 + 2 }}|{{ 'x' ~ 1 }}|{{ none }}|{{ true }}|{{ 2.50 }}") == "42|x1|None|True|2.5");
}

TEST_CASE("whitespace control follows trim_blocks and lstrip_blocks") {
    CHECK(render("{% if true %}\nA\n{% endif %}\nB") == "A\nB");
    CHECK(render("  {% if true %}\n  A\n  {% endif %}\nB") == "  A\nB");
    CHECK(render("a  {{- 'b' -}}  \n c") == "abc");
    CHECK(render("a\n  {%- if true %}b{% endif %}") == "ab");
    CHECK(render("{{ 'x' }}\n") == "x");  // one final newline is dropped
}

TEST_CASE("if, elif and else") {
    const char* tpl = "{% if n > 1 %}many{% elif n == 1 %}one{% else %}none{% endif %}";
    CHECK(render(tpl, R"({"n": 5})") == "many");
    CHECK(render(tpl, R"({"n": 1})") == "one");
    CHECK(render(tpl, R"({"n": 0})") == "none");
}

TEST_CASE("for loops: loop variables, else, filtering, unpacking, break and continue") {
    CHECK(render("{% for x in ['a', 'b', 'c'] %}{{ loop.index }}{{ x }}{{ ',' if not loop.last }}{% endfor %}") ==
          "1a,2b,3c");
    CHECK(render("{% for x in [1, 2] %}{{ loop.index0 }}{{ loop.revindex }}{{ loop.first }}{{ loop.length }}{% endfor %}") ==
          "02True211False2");
    CHECK(render("{% for x in [] %}x{% else %}empty{% endfor %}") == "empty");
    CHECK(render("{% for x in range(6) if x is even %}{{ x }}/{{ loop.length }} {% endfor %}") == "0/3 2/3 4/3 ");
    CHECK(render(R"({% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %})", R"({"d": {"b": 1, "a": 2}})") == "b=1;a=2;");
    CHECK(render("{% for x in range(9) %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 5 %}{% break %}{% endif %}{{ x }}{% endfor %}") ==
          "0134");
}

TEST_CASE("set does not leak out of a loop, but a namespace carries state") {
    CHECK(render("{% set x = 1 %}{% for i in [1, 2] %}{% set x = x + 1 %}{{ x }}{% endfor %}{{ x }}") == "221");
    CHECK(render("{% set ns = namespace(n=0) %}{% for i in [1, 2, 3] %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}") == "6");
    CHECK(render("{% set a, b = [1, 2] %}{{ b }}{{ a }}") == "21");
    CHECK(render("{% set block %}x{{ 1 }}{% endset %}[{{ block }}]") == "[x1]");
}

TEST_CASE("macros with defaults, keywords and caller") {
    CHECK(render("{% macro m(a, b='B') %}{{ a }}{{ b }}{% endmacro %}{{ m(1) }} {{ m(1, 2) }} {{ m(b=3, a=4) }}") ==
          "1B 12 43");
    CHECK(render("{% macro w() %}[{{ caller() }}]{% endmacro %}{% call w() %}in{% endcall %}") == "[in]");
}

TEST_CASE("expressions: literals, arithmetic, comparison, membership, conditionals, subscripts") {
    CHECK(render("{{ [1, 'a', none] }} {{ {'k': [true]} }}") == "[1, 'a', None] {'k': [True]}");
    CHECK(render("{{ 7 // 2 }} {{ 7 % 3 }} {{ 7 / 2 }} {{ 2 ** 3 }} {{ -7 // 2 }} {{ 1 + 2 * 3 }}") == "3 1 3.5 8 -4 7");
    CHECK(render("{{ 1 < 2 }} {{ 'a' in 'cat' }} {{ 3 not in [1, 2] }} {{ 1 == 1.0 }}") == "True True True True");
    CHECK(render("{{ 'y' if 0 else 'n' }} {{ 'y' if 1 }}|{{ 'y' if 0 }}|") == "n y||");
    CHECK(render("{{ xs[0] }}{{ xs[-1] }}{{ xs[1:] }}{{ xs[::-1] }}{{ 'abc'[::-1] }}", R"({"xs": [1, 2, 3]})") ==
          "13[2, 3][3, 2, 1]cba");
    CHECK(render("{{ m.role }} {{ m['content'] }} {{ m.missing is defined }}", R"({"m": {"role": "user", "content": "hi"}})") ==
          "user hi False");
}

TEST_CASE("filters") {
    CHECK(render("[{{ '  a  '|trim }}] {{ 'Ab'|upper }} {{ 'Ab'|lower }} {{ 'ab cd'|title }} {{ 'aB'|capitalize }}") ==
          "[a] AB ab Ab Cd Ab");
    CHECK(render("{{ [1, 2]|length }} {{ [1, 2]|first }} {{ [1, 2]|last }} {{ [1, 2]|join('-') }}") == "2 1 2 1-2");
    CHECK(render("{{ u|default('d') }} {{ 5|string ~ '!' }} {{ '7'|int + 1 }} {{ 'ab'|list }}") == "d 5! 8 ['a', 'b']");
    CHECK(render("{{ {'a': 1}|items|list }} {{ 'aXa'|replace('a', 'b') }} {{ '<'|e }} {{ '<'|safe }}") ==
          "[('a', 1)] bXb &lt; <");
    CHECK(render("{{ {'a': [1, 'é']}|tojson }}") == "{\"a\": [1, \"é\"]}");
    CHECK(render("{{ {'a': [1]}|tojson(indent=2) }}") == "{\n  \"a\": [\n    1\n  ]\n}");
    const char* people = R"({"p": [{"n": "a", "r": "user"}, {"n": "b", "r": "bot"}]})";
    CHECK(render("{{ p|selectattr('r', 'equalto', 'user')|map(attribute='n')|list }}", people) == "['a']");
    CHECK(render("{{ p|rejectattr('r', 'equalto', 'user')|map(attribute='n')|join }}", people) == "b");
    CHECK(render("{{ [1, 2, 3]|select('odd')|list }} {{ [1, 2, 3]|reject('odd')|list }} {{ ['a']|map('upper')|list }}") ==
          "[1, 3] [2] ['A']");
}

TEST_CASE("str and dict methods") {
    CHECK(render("{{ ' x '.strip() }}|{{ 'a,b'.split(',') }}|{{ 'ab'.startswith('a') }}|{{ 'ab'.endswith('a') }}") ==
          "x|['a', 'b']|True|False");
    CHECK(render("{{ 'ab'.upper() }} {{ 'AB'.lower() }} {{ 'a-b'.replace('-', '+') }} {{ 'xay'.lstrip('x') }} {{ 'xay'.rstrip('y') }}") ==
          "AB ab a+b ay xa");
    CHECK(render("{{ d.keys()|list }} {{ d.values()|list }} {{ d.get('a') }} {{ d.get('z', 0) }}", R"({"d": {"a": 1}})") ==
          "['a'] [1] 1 0");
}

TEST_CASE("undefined values print as nothing and are falsy; strict uses fail") {
    CHECK(render("[{{ nothing }}]{% if nothing %}yes{% else %}no{% endif %}{{ nothing is defined }}") == "[]noFalse");
    CHECK(error_of("{{ nothing.attr }}").find("'nothing' is undefined") != std::string::npos);
    CHECK(error_of("{{ nothing + 1 }}").find("'nothing' is undefined") != std::string::npos);
}

TEST_CASE("raise_exception becomes a bad_request error carrying the template's message") {
    CHECK(error_of("{% if true %}{{ raise_exception('Roles must alternate') }}{% endif %}") == "Roles must alternate");
}

TEST_CASE("errors name the template line") {
    CHECK(error_of("line one\n{% if true %}\n{{ 1 // 0 }}\n{% endif %}").find("line 3") != std::string::npos);
    const std::string syntax = error_of("ok\n\n{% for x in %}{% endfor %}");
    CHECK(syntax.find("syntax error") != std::string::npos);
    CHECK(syntax.find("line 3") != std::string::npos);
    CHECK(error_of("{% include 'other.jinja' %}").find("unsupported tag 'include'") != std::string::npos);
}

TEST_CASE("render_chat provides messages, add_generation_prompt, special tokens, tools and documents") {
    const std::vector<ChatMessage> messages = {{"system", "S"}, {"user", "U"}};
    ChatRenderOptions options;
    options.bos_token = "<s>";
    options.eos_token = "</s>";
    const char* tpl =
        "{{ bos_token }}{% for m in messages %}[{{ m.role }}:{{ m['content'] }}]{% endfor %}"
        "{{ add_generation_prompt }}{{ eos_token }}{{ tools is none }}{{ documents is none }}";
    CHECK(render_chat(tpl, messages, options) == "<s>[system:S][user:U]True</s>TrueTrue");
    options.add_generation_prompt = false;
    options.extra_context_json = R"({"tools": [{"name": "f"}], "custom": 3})";
    CHECK(render_chat("{{ add_generation_prompt }} {{ tools[0].name }} {{ custom }}", messages, options) == "False f 3");
}

TEST_CASE("a parsed template renders many conversations") {
    const ChatTemplate tpl("{% for m in messages %}{{ m.content }};{% endfor %}");
    const ChatRenderOptions options;
    const std::vector<ChatMessage> a = {{"user", "one"}};
    const std::vector<ChatMessage> b = {{"user", "x"}, {"assistant", "y"}};
    CHECK(tpl.render(a, options) == "one;");
    CHECK(tpl.render(b, options) == "x;y;");
    CHECK(tpl.render(a, options) == "one;");
}

TEST_CASE("bad extra context is a bad_request error") {
    CHECK(error_of("x", "{not json").find("JSON object") != std::string::npos);
    CHECK(error_of("x", "[1, 2]").find("JSON object") != std::string::npos);
}

TEST_CASE("strftime_now formats the local time") {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    const std::string year = std::to_string(local.tm_year + 1900);
    CHECK(render("{{ strftime_now('%Y') }}") == year);
}

}  // namespace hearth
