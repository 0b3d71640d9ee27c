// The pre-tokenizer regex engine: ECMAScript-style matching over code points.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "core/tokenizer/regex.h"
#include "core/tokenizer/unicode.h"

namespace hearth::tokenizer {
namespace {

// All successive matches of pattern in text, as UTF-8 strings.
std::vector<std::string> matches(std::string_view pattern, std::string_view text) {
    const Regex regex(pattern);
    const std::vector<uint32_t> cpts = decode_utf8(text);
    RegexMatcher matcher(regex, cpts);
    std::vector<std::string> out;
    size_t pos = 0;
    while (const auto match = matcher.search(pos)) {
        std::string word;
        for (size_t i = match->begin; i < match->end; ++i) append_utf8(word, cpts[i]);
        out.push_back(word);
        pos = match->end;
    }
    return out;
}

using Words = std::vector<std::string>;

TEST_CASE("regex: alternation is ordered, quantifiers greedy unless lazy") {
    CHECK(matches("a|ab", "ab ab") == Words{"a", "a"});
    CHECK(matches("ab|a", "ab ab") == Words{"ab", "ab"});
    CHECK(matches("a+", "caaab aa") == Words{"aaa", "aa"});
    CHECK(matches("a+?", "aaa") == Words{"a", "a", "a"});
    CHECK(matches("<.*>", "<a><b>") == Words{"<a><b>"});
    CHECK(matches("<.*?>", "<a><b>") == Words{"<a>", "<b>"});
    CHECK(matches("x?y", "xyy") == Words{"xy", "y"});
}

TEST_CASE("regex: counted repetition") {
    CHECK(matches("[0-9]{1,3}", "1234567") == Words{"123", "456", "7"});
    CHECK(matches("a{2}", "aaaaa") == Words{"aa", "aa"});
    CHECK(matches("a{2,}", "a aa aaaa") == Words{"aa", "aaaa"});
    CHECK(matches("(?:ab){2}", "ababab") == Words{"abab"});
    CHECK(matches("(A|B){1,4}Z", "ABABAZ BZ") == Words{"BABAZ", "BZ"});
}

TEST_CASE("regex: Unicode categories and shorthands work on code points") {
    CHECK(matches(R"(\p{L}+)", "héllo wörld 42 Привет") == Words{"héllo", "wörld", "Привет"});
    CHECK(matches(R"(\p{N}+)", "a1²½b٣") == Words{"1²½", "٣"});
    CHECK(matches(R"(\p{P}+)", "a,.!b«»") == Words{",.!", "«»"});
    CHECK(matches(R"(\p{Lu})", "aB1") == Words{"a", "B"});  // subcategories count as \p{L}, as in llama.cpp
    CHECK(matches(R"([^\s\p{L}\p{N}]+)", "ab $%^ 12 €") == Words{"$%^", "€"});
    CHECK(matches(R"(\s+)", "a \t\u3000\u00a0b") == Words{" \t\u3000\u00a0"});
    CHECK(matches(R"(\S+)", "ab  cd") == Words{"ab", "cd"});
    CHECK(matches(R"(\d+)", "12٣4") == Words{"12", "4"});  // \d is ASCII, as in ECMAScript
    CHECK(matches(R"(\P{L}+)", "ab12cd") == Words{"12"});
}

TEST_CASE("regex: classes, escapes and hex code points") {
    CHECK(matches("[a-c]+", "abcd") == Words{"abc"});
    CHECK(matches("[^a-c]+", "abcdef") == Words{"def"});
    CHECK(matches(R"([\-\]]+)", "a-]b") == Words{"-]"});
    CHECK(matches(R"([\u4E00-\u9FA5]+)", "ab中文cd") == Words{"中文"});
    CHECK(matches(R"(\u{1F999})", "x🦙y") == Words{"🦙"});
    CHECK(matches("[\r\n]", "a\r\nb") == Words{"\r", "\n"});
    CHECK(matches(R"(\$\+)", "$+") == Words{"$+"});
}

TEST_CASE("regex: lookahead is atomic and sees only the text") {
    CHECK(matches(R"(\s+(?!\S))", "a   b") == Words{"  "});
    CHECK(matches(R"(\s+(?!\S))", "a   ") == Words{"   "});
    CHECK(matches("a(?=b)", "ab ac ab") == Words{"a", "a"});
    CHECK(matches(R"(((?=[\p{L}])([^a-z]))+)", "ABcDÉ") == Words{"AB", "DÉ"});
}

TEST_CASE("regex: anchors and case-insensitive groups") {
    CHECK(matches(R"(\s+$)", "a  b  ") == Words{"  "});
    CHECK(matches("^a", "aaa") == Words{"a"});
    CHECK(matches("(?i:'s|'ll)", "'S 'Ll 'x") == Words{"'S", "'Ll"});
    CHECK(matches("'(?i:[sd])", "'D's") == Words{"'D", "'s"});
}

TEST_CASE("regex: bad patterns are rejected") {
    for (const char* bad : {"(ab", "ab)", "[ab", "a{3,1}", "*a", R"(\p{Xx})", R"(\p{Han})", R"(\q)", "(?<x>a)", "(a*)*", "a{2000}"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(Regex{bad}, Error);
    }
}

TEST_CASE("regex: long inputs do not exhaust the stack") {
    const std::string long_word(200000, 'a');
    CHECK(matches(R"( ?\p{L}+)", long_word) == Words{long_word});
    const std::string spaces = std::string(100000, ' ') + "x";
    CHECK(matches(R"(\s+(?!\S)|\s+)", spaces).front().size() == spaces.size() - 2);
}

}  // namespace
}  // namespace hearth::tokenizer
