#include <doctest/doctest.h>

#include "ui/markdown_blocks.h"

using namespace hearth::ui;

TEST_CASE("text without fences is one prose block") {
    const auto blocks = split_fenced_blocks("Hello\nworld");
    REQUIRE(blocks.size() == 1);
    CHECK(blocks[0].kind == BlockKind::prose);
    CHECK(blocks[0].text == "Hello\nworld");
}

TEST_CASE("a fenced block is split out with its language") {
    const auto blocks = split_fenced_blocks("Here:\n```python\ndef f():\n    return 1\n```\nDone.");
    REQUIRE(blocks.size() == 3);
    CHECK(blocks[0].kind == BlockKind::prose);
    CHECK(blocks[0].text == "Here:");
    CHECK(blocks[1].kind == BlockKind::code);
    CHECK(blocks[1].language == "python");
    CHECK(blocks[1].text == "def f():\n    return 1");
    CHECK(blocks[2].kind == BlockKind::prose);
    CHECK(blocks[2].text == "Done.");
}

TEST_CASE("blank lines between prose and code are dropped, inner ones kept") {
    const auto blocks = split_fenced_blocks("\n\nIntro\n\nmore\n\n```\nx\n\ny\n```\n\nAfter\n");
    REQUIRE(blocks.size() == 3);
    CHECK(blocks[0].text == "Intro\n\nmore");
    CHECK(blocks[1].text == "x\n\ny");
    CHECK(blocks[2].text == "After");
}

TEST_CASE("an unclosed fence runs to the end (an answer still streaming)") {
    const auto blocks = split_fenced_blocks("```c\nint x = 1;\nint y");
    REQUIRE(blocks.size() == 1);
    CHECK(blocks[0].kind == BlockKind::code);
    CHECK(blocks[0].language == "c");
    CHECK(blocks[0].text == "int x = 1;\nint y");
}

TEST_CASE("fences need at most three spaces of indent and start the line") {
    const auto indented = split_fenced_blocks("   ```\ncode\n   ```");
    REQUIRE(indented.size() == 1);
    CHECK(indented[0].kind == BlockKind::code);
    CHECK(indented[0].language.empty());
    CHECK(indented[0].text == "code");

    const auto too_deep = split_fenced_blocks("    ```\nnot code\n    ```");
    REQUIRE(too_deep.size() == 1);
    CHECK(too_deep[0].kind == BlockKind::prose);

    const auto inline_ticks = split_fenced_blocks("use ```x``` inline");
    REQUIRE(inline_ticks.size() == 1);
    CHECK(inline_ticks[0].kind == BlockKind::prose);
}

TEST_CASE("empty code blocks are kept and empty prose is dropped") {
    const auto blocks = split_fenced_blocks("```\n```\n");
    REQUIRE(blocks.size() == 1);
    CHECK(blocks[0].kind == BlockKind::code);
    CHECK(blocks[0].text.empty());
    CHECK(split_fenced_blocks("").empty());
}

TEST_CASE("two code blocks in a row, CRLF line ends and UTF-8 text") {
    const auto blocks = split_fenced_blocks("```js\na\n```\r\n```\n你好\n```");
    REQUIRE(blocks.size() == 2);
    CHECK(blocks[0].language == "js");
    CHECK(blocks[0].text == "a");
    CHECK(blocks[1].text == "你好");
}
