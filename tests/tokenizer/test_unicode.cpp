// Unicode tables and UTF-8 handling.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/tokenizer/byte_level.h"
#include "core/tokenizer/unicode.h"

namespace hearth::tokenizer {
namespace {

TEST_CASE("unicode: general categories from the generated tables") {
    CHECK(category_of('a') == Category::letter);
    CHECK(category_of('Z') == Category::letter);
    CHECK(category_of('7') == Category::number);
    CHECK(category_of('!') == Category::punctuation);
    CHECK(category_of('$') == Category::symbol);
    CHECK(category_of('~') == Category::symbol);
    CHECK(category_of(' ') == Category::separator);
    CHECK(category_of('\n') == Category::other);
    CHECK(category_of(0x00E9) == Category::letter);       // é
    CHECK(category_of(0x00BD) == Category::number);       // ½ (No)
    CHECK(category_of(0x216B) == Category::number);       // Ⅻ (Nl)
    CHECK(category_of(0x0301) == Category::mark);         // combining acute
    CHECK(category_of(0x20AC) == Category::symbol);       // €
    CHECK(category_of(0x3002) == Category::punctuation);  // 。
    CHECK(category_of(0x4E2D) == Category::letter);       // 中
    CHECK(category_of(0x1F999) == Category::symbol);      // 🦙
    CHECK(category_of(0x200D) == Category::other);        // zero-width joiner (Cf)
    CHECK(category_of(0xE000) == Category::other);        // private use
    CHECK(category_of(0x10FFFF) == Category::other);
}

TEST_CASE("unicode: generated tables are sorted and disjoint") {
    for (size_t i = 0; i < unicode_data::category_range_count; ++i) {
        const auto& range = unicode_data::category_ranges[i];
        REQUIRE(range.first <= range.last);
        if (i > 0) REQUIRE(unicode_data::category_ranges[i - 1].last < range.first);
    }
    for (size_t i = 1; i < unicode_data::whitespace_count; ++i) REQUIRE(unicode_data::whitespace[i - 1] < unicode_data::whitespace[i]);
    for (size_t i = 1; i < unicode_data::lowercase_run_count; ++i)
        REQUIRE(unicode_data::lowercase_runs[i - 1].last < unicode_data::lowercase_runs[i].first);
}

TEST_CASE("unicode: white space is Unicode White_Space") {
    for (uint32_t cpt : {0x09u, 0x0Au, 0x0Bu, 0x0Cu, 0x0Du, 0x20u, 0x85u, 0xA0u, 0x1680u, 0x2000u, 0x200Au, 0x2028u, 0x3000u}) {
        CAPTURE(cpt);
        CHECK(is_whitespace(cpt));
    }
    for (uint32_t cpt : {0x1Cu, 0x1Fu, 0x200Bu, 0x41u, 0x180Eu, 0xFEFFu}) {
        CAPTURE(cpt);
        CHECK_FALSE(is_whitespace(cpt));
    }
}

TEST_CASE("unicode: lowercase mapping") {
    CHECK(to_lower('A') == 'a');
    CHECK(to_lower('a') == 'a');
    CHECK(to_lower('1') == '1');
    CHECK(to_lower(0x00C4) == 0x00E4);  // Ä
    CHECK(to_lower(0x0100) == 0x0101);  // Ā (alternating run)
    CHECK(to_lower(0x0101) == 0x0101);
    CHECK(to_lower(0x03A3) == 0x03C3);  // Σ
    CHECK(to_lower(0x0130) == 'i');     // İ lowercases to i + combining dot; first code point
    CHECK(to_lower(0x212A) == 'k');     // Kelvin sign
    CHECK(to_lower(0x10400) == 0x10428);
}

TEST_CASE("utf-8: decoding replaces each bad byte with U+FFFD, like llama.cpp") {
    CHECK(decode_utf8("a\xC3\xA9") == std::vector<uint32_t>{'a', 0xE9});
    CHECK(decode_utf8("\xF0\x9F\xA6\x99") == std::vector<uint32_t>{0x1F999});
    CHECK(decode_utf8("\xFF" "a") == std::vector<uint32_t>{replacement_char, 'a'});
    CHECK(decode_utf8("\xE2\x82") == std::vector<uint32_t>{replacement_char, replacement_char});
    CHECK(decode_utf8("\x80" "b") == std::vector<uint32_t>{replacement_char, 'b'});
    CHECK(decode_utf8("\xC3" "A") == std::vector<uint32_t>{replacement_char, 'A'});
}

TEST_CASE("utf-8: encoding round-trips every scalar value") {
    for (uint32_t cpt = 0; cpt <= max_codepoint; cpt += (cpt < 0x3000 ? 1 : 97)) {
        if (cpt >= 0xD800 && cpt <= 0xDFFF) continue;
        const std::string bytes = encode_utf8(cpt);
        REQUIRE(decode_utf8(bytes) == std::vector<uint32_t>{cpt});
        REQUIRE(scan_utf8_sequence(bytes).kind == Utf8Sequence::Kind::complete);
        REQUIRE(scan_utf8_sequence(bytes).length == bytes.size());
    }
}

TEST_CASE("utf-8: strict scanning finds incomplete and ill-formed sequences") {
    using Kind = Utf8Sequence::Kind;
    auto scan = [](std::string_view bytes) { return scan_utf8_sequence(bytes); };
    CHECK(scan("\xE2\x82").kind == Kind::incomplete);
    CHECK(scan("\xF0\x9F\xA6").kind == Kind::incomplete);
    CHECK(scan("\xC0\x80").kind == Kind::invalid);  // overlong
    CHECK(scan("\xE0\x80\x80").kind == Kind::invalid);
    CHECK(scan("\xED\xA0\x80").kind == Kind::invalid);  // surrogate
    CHECK(scan("\xF4\x90\x80\x80").kind == Kind::invalid);  // past U+10FFFF
    CHECK(scan("\x80").kind == Kind::invalid);
    const Utf8Sequence cut = scan("\xE2\x82" "A");
    CHECK(cut.kind == Kind::invalid);
    CHECK(cut.length == 2);  // the whole truncated prefix is one ill-formed part
}

TEST_CASE("byte-level alphabet: GPT-2's byte to code point map") {
    CHECK(byte_to_codepoint('A') == 'A');
    CHECK(byte_to_codepoint(' ') == 0x120);   // Ġ
    CHECK(byte_to_codepoint('\n') == 0x10A);  // Ċ
    CHECK(byte_to_codepoint(0x00) == 0x100);
    CHECK(byte_to_codepoint(0xAD) == 0x143);
    for (int byte = 0; byte < 256; ++byte) REQUIRE(codepoint_to_byte(byte_to_codepoint(static_cast<uint8_t>(byte))) == byte);
    CHECK_FALSE(codepoint_to_byte(0x20).has_value());
    CHECK_FALSE(codepoint_to_byte(0x144).has_value());
    CHECK(byte_level_encode(" hé") == "\xC4\xA0h\xC3\x83\xC2\xA9");
    CHECK(byte_level_decode("\xC4\xA0h\xC3\x83\xC2\xA9") == " hé");
}

}  // namespace
}  // namespace hearth::tokenizer
