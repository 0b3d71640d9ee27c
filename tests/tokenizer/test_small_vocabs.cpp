// SPM and BPE algorithms, special tokens, pieces and decoding on small hand-made vocabs.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/tokenizer/tokenizer.h"
#include "tests/tokenizer/tiny_vocabs.h"

namespace hearth::tokenizer {
namespace {

using Ids = std::vector<int32_t>;

// Ids of the given token texts (each must exist).
Ids ids_of(const Tokenizer& tokenizer, std::initializer_list<std::string_view> texts) {
    Ids ids;
    for (std::string_view text : texts) {
        const auto id = tokenizer.find_token(text);
        REQUIRE_MESSAGE(id.has_value(), "no token " << text);
        ids.push_back(*id);
    }
    return ids;
}

Tokenizer spm(bool add_space_prefix = true) {
    VocabSpec spec = test::tiny_spm_spec();
    spec.add_space_prefix = add_space_prefix;
    return Tokenizer(Vocab(spec));
}

TEST_CASE("spm: the best-scoring pair merges first, ties go to the leftmost pair") {
    const Tokenizer tokenizer = spm(false);
    CHECK(tokenizer.encode("abc") == ids_of(tokenizer, {"a", "bc"}));  // bc (-1) beats ab (-2)
    CHECK(tokenizer.encode("aaa") == ids_of(tokenizer, {"aa", "a"}));
    CHECK(tokenizer.encode("ab") == ids_of(tokenizer, {"ab"}));
}

TEST_CASE("spm: space prefix, space escaping and byte fallback") {
    const Tokenizer tokenizer = spm();
    CHECK(tokenizer.encode("hi hi") == ids_of(tokenizer, {"\xE2\x96\x81hi", "\xE2\x96\x81hi"}));
    CHECK(tokenizer.encode("\xC3\xA9") == ids_of(tokenizer, {"\xE2\x96\x81", "<0xC3>", "<0xA9>"}));
    CHECK(tokenizer.encode("").empty());
    CHECK(spm(false).encode("hi") == ids_of(tokenizer, {"hi"}));
}

TEST_CASE("spm: BOS/EOS follow the vocab flags when add_special is set") {
    const Tokenizer tokenizer = spm();
    CHECK(tokenizer.encode("hi", {.add_special = true}) == Ids{tokenizer.bos(), *tokenizer.find_token("\xE2\x96\x81hi")});
    CHECK(tokenizer.encode("", {.add_special = true}) == Ids{tokenizer.bos()});
    VocabSpec spec = test::tiny_spm_spec();
    spec.add_bos = false;
    spec.add_eos = true;
    const Tokenizer eos_only{Vocab(spec)};
    CHECK(eos_only.encode("hi", {.add_special = true}) == Ids{*eos_only.find_token("\xE2\x96\x81hi"), eos_only.eos()});
}

TEST_CASE("special tokens: control tokens need parse_special, user-defined ones always match") {
    const Tokenizer tokenizer = spm();
    const int32_t im_end = *tokenizer.find_token("<|im_end|>");
    const int32_t tool = *tokenizer.find_token("<tool>");
    // After a special token the SPM space prefix is added again.
    CHECK(tokenizer.encode("<|im_end|>hi", {.parse_special = true}) == Ids{im_end, *tokenizer.find_token("\xE2\x96\x81hi")});
    const Ids literal = tokenizer.encode("<|im_end|>hi");
    CHECK(std::find(literal.begin(), literal.end(), im_end) == literal.end());
    CHECK(tokenizer.decode(literal) == "<|im_end|>hi");
    CHECK(tokenizer.encode("x<tool>y") == Ids{*tokenizer.find_token("\xE2\x96\x81"), *tokenizer.find_token("x"), tool,
                                              *tokenizer.find_token("\xE2\x96\x81"), *tokenizer.find_token("y")});
    CHECK(tokenizer.encode("<s><s>", {.parse_special = true}) == Ids{tokenizer.bos(), tokenizer.bos()});
}

TEST_CASE("spm: pieces and decoding") {
    const Tokenizer tokenizer = spm();
    CHECK(tokenizer.token_to_piece(*tokenizer.find_token("\xE2\x96\x81hi")) == " hi");
    CHECK(tokenizer.token_to_piece(*tokenizer.find_token("<0x41>")) == "A");
    CHECK(tokenizer.token_to_piece(tokenizer.bos()).empty());
    CHECK(tokenizer.token_to_piece(tokenizer.bos(), {.render_special = true}) == "<s>");
    CHECK(tokenizer.token_to_piece(*tokenizer.find_token("<tool>")) == "<tool>");
    CHECK(tokenizer.decode(tokenizer.encode("hi hi")) == "hi hi");
    CHECK(tokenizer.decode(tokenizer.encode(" hi")) == " hi");
    CHECK(tokenizer.decode(tokenizer.encode("hi", {.add_special = true})) == "hi");
    CHECK(tokenizer.decode(tokenizer.encode("hi"), {.strip_space_prefix = false}) == " hi");
    CHECK(tokenizer.decode(tokenizer.encode("hi", {.add_special = true}), {.render_special = true}) == "<s> hi");
    CHECK_THROWS_AS(tokenizer.token_to_piece(-1), Error);
    CHECK_THROWS_AS(tokenizer.decode(Ids{tokenizer.n_vocab()}), Error);
}

TEST_CASE("end of generation: eos, eot and conventional end tokens") {
    const Tokenizer tokenizer = spm();
    CHECK(tokenizer.is_end_of_generation(tokenizer.eos()));
    CHECK(tokenizer.is_end_of_generation(*tokenizer.find_token("<|im_end|>")));
    CHECK(tokenizer.vocab().special().eot == *tokenizer.find_token("<|im_end|>"));
    CHECK_FALSE(tokenizer.is_end_of_generation(tokenizer.bos()));
    CHECK_FALSE(tokenizer.is_end_of_generation(*tokenizer.find_token("hi")));
    CHECK_FALSE(tokenizer.is_end_of_generation(no_token));
}

Tokenizer bpe(void (*edit)(VocabSpec&) = nullptr) {
    VocabSpec spec = test::tiny_bpe_spec();
    if (edit) edit(spec);
    return Tokenizer(Vocab(spec));
}

TEST_CASE("bpe: merges apply lowest rank first, ties leftmost") {
    const Tokenizer tokenizer = bpe();
    CHECK(tokenizer.encode("abc") == ids_of(tokenizer, {"ab", "c"}));
    CHECK(tokenizer.encode("aaa") == ids_of(tokenizer, {"aa", "a"}));
    const Tokenizer reversed = bpe([](VocabSpec& spec) { std::swap(spec.merges[0], spec.merges[1]); });
    CHECK(reversed.encode("abc") == ids_of(reversed, {"a", "bc"}));
}

TEST_CASE("bpe: byte-level spelling, pre-tokenizer words and ignore_merges") {
    const Tokenizer tokenizer = bpe();
    CHECK(tokenizer.encode(" hi") == ids_of(tokenizer, {"\xC4\xA0hi"}));
    CHECK(tokenizer.encode("\xC3\xA9") == Ids{0xC3, 0xA9});  // the byte-level token of byte b has id b here
    CHECK(tokenizer.encode("ab ab") == ids_of(tokenizer, {"ab", "\xC4\xA0", "ab"}));  // words "ab", " ab"
    CHECK(tokenizer.encode("xyz") == Ids{'x', 'y', 'z'});
    const Tokenizer llama3 = bpe([](VocabSpec& spec) { spec.pre = "llama-bpe"; });
    CHECK(llama3.encode("xyz") == ids_of(llama3, {"xyz"}));  // a whole word that is a token skips merging
}

TEST_CASE("bpe: special tokens, BOS flag and round trips") {
    const Tokenizer tokenizer = bpe();
    const int32_t end = *tokenizer.find_token("<|endoftext|>");
    CHECK(tokenizer.encode("a<|endoftext|>", {.parse_special = true}) == Ids{'a', end});
    CHECK(tokenizer.encode("hi", {.add_special = true}) == Ids{'h', 'i'});  // gpt-2 adds no BOS by default
    const Tokenizer with_bos = bpe([](VocabSpec& spec) { spec.add_bos = true; });
    CHECK(with_bos.encode("hi", {.add_special = true}) == Ids{end, 'h', 'i'});
    CHECK(tokenizer.is_end_of_generation(end));
    for (std::string text : {"Hello w\xC3\xB6rld \xF0\x9F\xA6\x99 ab\n\n\t x", "  ", "\xE4\xB8\xAD\xE6\x96\x87"}) {
        CAPTURE(text);
        CHECK(tokenizer.decode(tokenizer.encode(text)) == text);
    }
    CHECK(tokenizer.token_to_piece(*tokenizer.find_token("\xC4\xA0hi")) == " hi");
    CHECK(tokenizer.decode(tokenizer.encode("<|endoftext|>", {.parse_special = true})).empty());
}

TEST_CASE("decode: optional Hugging Face space clean-up") {
    const Tokenizer tokenizer = bpe();
    const Ids ids = tokenizer.encode("a , b ' c 's d 're e 'll f .");
    CHECK(tokenizer.decode(ids) == "a , b ' c 's d 're e 'll f .");
    CHECK(tokenizer.decode(ids, {.clean_up_spaces = true}) == "a, b'c's d're e 'll f.");
}

}  // namespace
}  // namespace hearth::tokenizer
