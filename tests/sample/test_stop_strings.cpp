// StopStrings: held-back tails, matches across chunks, several stops, UTF-8, chunk invariance.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "core/sample/rng.h"
#include "core/sample/stop_strings.h"

namespace hearth {
namespace {

struct Outcome {
    std::string text;
    std::optional<std::size_t> stop;
    bool operator==(const Outcome&) const = default;
};

// Feeds the chunks, then finish(); collects everything emitted.
Outcome run(const std::vector<std::string>& stops, const std::vector<std::string>& chunks) {
    StopStrings filter(stops);
    Outcome out;
    for (const std::string& chunk : chunks) {
        StopStrings::Step step = filter.push(chunk);
        out.text += step.text;
        if (step.stop) {
            out.stop = step.stop;
            break;
        }
    }
    out.text += filter.finish();
    return out;
}

// Independent reference on the whole text: the occurrence that ends first (longest on a tie).
Outcome reference(const std::vector<std::string>& stops, const std::string& text) {
    for (std::size_t end = 1; end <= text.size(); ++end) {
        std::optional<std::size_t> best;
        for (std::size_t i = 0; i < stops.size(); ++i) {
            const std::string& s = stops[i];
            if (s.size() <= end && text.compare(end - s.size(), s.size(), s) == 0 &&
                (!best || s.size() > stops[*best].size())) {
                best = i;
            }
        }
        if (best) return {text.substr(0, end - stops[*best].size()), best};
    }
    return {text, std::nullopt};
}

}  // namespace

TEST_CASE("without stop strings, text passes straight through") {
    StopStrings filter({});
    CHECK(filter.push("<|end|>").text == "<|end|>");
    CHECK(filter.finish().empty());
}

TEST_CASE("a possible stop start is held back until it resolves") {
    StopStrings filter({"<|end|>"});
    StopStrings::Step step = filter.push("Hello wor");
    CHECK(step.text == "Hello wor");
    CHECK_FALSE(step.stop);
    step = filter.push("ld<|e");
    CHECK(step.text == "ld");  // "<|e" might become "<|end|>"
    step = filter.push("nd|>more");
    CHECK(step.text == "");
    REQUIRE(step.stop);
    CHECK(*step.stop == 0);
    CHECK(filter.stopped());
    step = filter.push("after");
    CHECK(step.text.empty());
    CHECK(step.stop == std::optional<std::size_t>(0));
    CHECK(filter.finish().empty());

    filter.reset();
    CHECK(filter.push("<|en").text.empty());
    CHECK(filter.push("ough").text == "<|enough");  // diverged: released
    CHECK(filter.push("<").text.empty());
    CHECK(filter.finish() == "<");  // generation ended without a stop: the held tail is released
}

TEST_CASE("text before the stop in the same chunk is emitted") {
    CHECK(run({"STOP"}, {"abcSTOPdef"}) == Outcome{"abc", 0});
    CHECK(run({"STOP"}, {"ST", "O", "P"}) == Outcome{"", 0});
    CHECK(run({"STOP"}, {"xS", "TO", "x"}) == Outcome{"xSTOx", std::nullopt});
}

TEST_CASE("several stops: the one completing first wins and is reported") {
    const std::vector<std::string> stops = {"\n\nUser:", "</s>", "###"};
    CHECK(run(stops, {"answer</", "s>\n\nUser:"}) == Outcome{"answer", 1});
    CHECK(run(stops, {"answer\n\nUs", "er: ###"}) == Outcome{"answer", 0});
    CHECK(run(stops, {"a ## b ###"}) == Outcome{"a ## b ", 2});
    // "b" completes before "abc" can, whether the text comes at once or byte by byte.
    CHECK(run({"abc", "b"}, {"xabc"}) == Outcome{"xa", 1});
    CHECK(run({"abc", "b"}, {"x", "a", "b", "c"}) == Outcome{"xa", 1});
    // Ending together: the longer one (it started first) wins.
    CHECK(run({"c", "abc"}, {"xab", "c"}) == Outcome{"x", 1});
}

TEST_CASE("overlapping prefixes are held as long as any stop could still match") {
    StopStrings filter({"aab", "abx"});
    CHECK(filter.push("za").text == "z");
    CHECK(filter.push("a").text == "");   // "aa" could start "aab"
    CHECK(filter.push("a").text == "a");  // "aa" still could; the first "a" cannot
    StopStrings::Step step = filter.push("b");
    CHECK(step.text.empty());  // "zaaab" = "za" + "aab": everything before the stop is already out
    CHECK(step.stop == std::optional<std::size_t>(0));
    CHECK(run({"aab", "abx"}, {"aa", "bx"}) == Outcome{"", 0});
    // The held "aba" fails as a whole, but its tail "a" starts the match.
    CHECK(run({"abac"}, {"aba", "bac"}) == Outcome{"ab", 0});
}

TEST_CASE("UTF-8: multi-byte stops, and characters are never split") {
    CHECK(run({"停止"}, {"你好", "停", "止了"}) == Outcome{"你好", 0});
    StopStrings filter({"停止"});
    CHECK(filter.push("a\xE4\xBD").text == "a");  // the first two bytes of "你" are held
    CHECK(filter.push("\xA0" "b").text == "你b");

    // "è" (C3 A8) shares its lead byte with the stop "é" (C3 A9).
    StopStrings accents({"é"});
    CHECK(accents.push("\xC3").text.empty());
    CHECK(accents.push("\xA8 ok").text == "è ok");
    CHECK(accents.push("caf\xC3\xA9!").text == "caf");
}

TEST_CASE("the outcome does not depend on how the text is chunked") {
    const std::vector<std::string> stops = {"aba", "bb", "abc", "cab"};
    Xoshiro256 rng(77);
    for (int trial = 0; trial < 2000; ++trial) {
        std::string text;
        const std::size_t length = 1 + rng.next() % 12;
        for (std::size_t i = 0; i < length; ++i) text += static_cast<char>('a' + rng.next() % 3);
        std::vector<std::string> chunks;
        for (std::size_t at = 0; at < text.size();) {
            const std::size_t size = 1 + rng.next() % 4;
            chunks.push_back(text.substr(at, size));
            at += size;
        }
        const Outcome expected = reference(stops, text);
        CHECK_MESSAGE(run(stops, chunks) == expected, "text " << text);
        CHECK_MESSAGE(run(stops, {text}) == expected, "text " << text);
    }
}

TEST_CASE("an empty stop string is a bad request") {
    try {
        StopStrings filter({"ok", ""});
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::bad_request);
        CHECK(std::string(e.what()).find("stop string 1") != std::string::npos);
    }
}

}  // namespace hearth
