// Incremental detokenizing never emits half a character or invalid UTF-8.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "core/gguf/gguf_file.h"
#include "core/tokenizer/detokenizer.h"
#include "core/tokenizer/unicode.h"
#include "tests/tokenizer/tiny_vocabs.h"
#include "tests/tokenizer/vocab_vectors.h"

namespace hearth::tokenizer {
namespace {

const std::string replacement = "\xEF\xBF\xBD";

bool valid_utf8(std::string_view text) {
    for (size_t pos = 0; pos < text.size();) {
        const Utf8Sequence sequence = scan_utf8_sequence(text.substr(pos));
        if (sequence.kind != Utf8Sequence::Kind::complete) return false;
        pos += sequence.length;
    }
    return true;
}

int32_t byte_id(const Tokenizer& tokenizer, uint8_t byte) { return tokenizer.vocab().byte_token(byte); }

TEST_CASE("detokenizer: a character split over byte tokens comes out whole") {
    const Tokenizer tokenizer{Vocab(test::tiny_spm_spec())};
    Detokenizer stream(tokenizer);
    CHECK(stream.push(byte_id(tokenizer, 0xC3)).empty());
    CHECK(stream.pending_bytes() == 1);
    CHECK(stream.push(byte_id(tokenizer, 0xA9)) == "\xC3\xA9");
    CHECK(stream.pending_bytes() == 0);
    const std::string llama = "\xF0\x9F\xA6\x99";
    for (size_t i = 0; i + 1 < llama.size(); ++i) CHECK(stream.push(byte_id(tokenizer, static_cast<uint8_t>(llama[i]))).empty());
    CHECK(stream.push(byte_id(tokenizer, static_cast<uint8_t>(llama.back()))) == llama);
    CHECK(stream.push(*tokenizer.find_token("\xE2\x96\x81hi")) == " hi");  // no leading-space stripping mid-stream
    CHECK(stream.flush().empty());
}

TEST_CASE("detokenizer: bytes that cannot form a character become U+FFFD") {
    const Tokenizer tokenizer{Vocab(test::tiny_spm_spec())};
    Detokenizer stream(tokenizer);
    CHECK(stream.push(byte_id(tokenizer, 0xFF)) == replacement);
    CHECK(stream.push(byte_id(tokenizer, 0xC3)).empty());
    CHECK(stream.push(byte_id(tokenizer, 'A')) == replacement + "A");
    CHECK(stream.push(byte_id(tokenizer, 0xE2)).empty());
    CHECK(stream.push(byte_id(tokenizer, 0x82)).empty());
    CHECK(stream.flush() == replacement);
    CHECK(stream.push(byte_id(tokenizer, 0xE2)).empty());
    stream.reset();
    CHECK(stream.flush().empty());
    // A surrogate's bytes: ED cannot continue with A0, so each byte is its own ill-formed part.
    CHECK(sanitize_utf8("a\xED\xA0\x80z") == "a" + replacement + replacement + replacement + "z");
    CHECK(sanitize_utf8("\xE2\x82" "A") == replacement + "A");  // a truncated character is one part
}

TEST_CASE("detokenizer: random byte streams always give valid UTF-8 and lose nothing valid") {
    const Tokenizer tokenizer{Vocab(test::tiny_spm_spec())};
    const std::vector<std::string> pieces = {"a", "\xC3\xA9", "\xE4\xB8\xAD", "\xF0\x9F\xA6\x99", "\xFF", "\x80", "\xE2\x82"};
    std::mt19937 rng(1234);
    for (int round = 0; round < 200; ++round) {
        std::string bytes;
        const int count = static_cast<int>(rng() % 12);
        for (int i = 0; i < count; ++i) bytes += pieces[rng() % pieces.size()];
        Detokenizer stream(tokenizer);
        std::string out;
        for (char c : bytes) {
            const std::string chunk = stream.push(byte_id(tokenizer, static_cast<uint8_t>(c)));
            REQUIRE(valid_utf8(chunk));
            out += chunk;
        }
        out += stream.flush();
        CAPTURE(bytes);
        REQUIRE(valid_utf8(out));
        CHECK(out == sanitize_utf8(bytes));
        if (valid_utf8(bytes)) CHECK(out == bytes);
    }
}

TEST_CASE("detokenizer: streaming a byte-level BPE vocab (shared vectors) reproduces the text") {
    const auto path = test::vocab_vector_dir() / "ggml-vocab-gpt-2.gguf";
    if (!std::filesystem::exists(path)) {
        MESSAGE("skipped: " << path.string() << " is absent");
        return;
    }
    const auto file = gguf::GgufFile::open(path.string());
    const Tokenizer tokenizer = Tokenizer::from_gguf(*file);
    const std::string text = "\xF0\x9F\xA6\x99\xF0\x9F\x9A\x80 \xE4\xB8\xAD\xE6\x96\x87 caf\xC3\xA9 \xE1\x9E\x80\xE1\x9E\xB6";
    const std::vector<int32_t> ids = tokenizer.encode(text);
    REQUIRE(ids.size() > 8);  // the emoji and CJK characters span several tokens
    Detokenizer stream(tokenizer);
    std::string out;
    size_t held_back = 0;
    for (int32_t id : ids) {
        const std::string chunk = stream.push(id);
        REQUIRE(valid_utf8(chunk));
        held_back += stream.pending_bytes() > 0 ? 1 : 0;
        out += chunk;
    }
    CHECK(held_back > 0);  // some token really did end mid-character
    CHECK(out + stream.flush() == text);
}

}  // namespace
}  // namespace hearth::tokenizer
