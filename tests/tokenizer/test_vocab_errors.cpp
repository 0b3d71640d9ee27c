// Bad tokenizer metadata is rejected with Error(bad_file) / Error(unsupported) naming the problem.
#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/gguf/gguf_file.h"
#include "core/gguf/gguf_writer.h"
#include "core/tokenizer/tokenizer.h"
#include "tests/tokenizer/tiny_vocabs.h"

namespace hearth::tokenizer {
namespace {

using gguf::GgufWriter;

// A GGUF holding the tiny SPM vocab, edited by `edit`, parsed back.
struct GgufVocab {
    std::vector<uint8_t> bytes;
    std::unique_ptr<gguf::GgufFile> file;
};

GgufVocab make_gguf(const std::function<void(GgufWriter&)>& edit) {
    const VocabSpec spec = test::tiny_spm_spec();
    GgufWriter writer;
    writer.set("general.architecture", "llama");
    writer.set("tokenizer.ggml.model", "llama");
    writer.set_array_strings("tokenizer.ggml.tokens", std::span<const std::string>(spec.tokens));
    writer.set_array_f32("tokenizer.ggml.scores", spec.scores);
    std::vector<int32_t> types(spec.token_types.begin(), spec.token_types.end());
    writer.set_array_i32("tokenizer.ggml.token_type", types);
    writer.set_u32("tokenizer.ggml.bos_token_id", 1);
    writer.set_u32("tokenizer.ggml.eos_token_id", 2);
    writer.set_u32("tokenizer.ggml.unknown_token_id", 0);
    edit(writer);
    GgufVocab result;
    result.bytes = writer.to_bytes();
    result.file = gguf::GgufFile::from_memory(result.bytes);
    return result;
}

// Loading must fail with `kind` and a message containing `needle`.
void check_rejected(const std::function<void(GgufWriter&)>& edit, ErrorKind kind, const std::string& needle) {
    const GgufVocab gguf_vocab = make_gguf(edit);
    try {
        Tokenizer::from_gguf(*gguf_vocab.file);
        FAIL("loaded a vocab that should be rejected: " << needle);
    } catch (const Error& error) {
        CHECK(error.kind() == kind);
        CHECK_MESSAGE(std::string(error.what()).find(needle) != std::string::npos, error.what());
    }
}

TEST_CASE("vocab errors: a well-formed GGUF vocab loads") {
    const GgufVocab gguf_vocab = make_gguf([](GgufWriter&) {});
    const Tokenizer tokenizer = Tokenizer::from_gguf(*gguf_vocab.file);
    CHECK(tokenizer.n_vocab() == static_cast<int32_t>(test::tiny_spm_spec().tokens.size()));
    CHECK(tokenizer.decode(tokenizer.encode("hi abc")) == "hi abc");
}

TEST_CASE("vocab errors: missing or unsupported tokenizer") {
    check_rejected([](GgufWriter& w) { w.erase("tokenizer.ggml.model"); }, ErrorKind::bad_file, "tokenizer.ggml.model");
    check_rejected([](GgufWriter& w) { w.set("tokenizer.ggml.model", "bert"); }, ErrorKind::unsupported, "bert");
    check_rejected([](GgufWriter& w) { w.erase("tokenizer.ggml.tokens"); }, ErrorKind::bad_file, "tokenizer.ggml.tokens");
    check_rejected(
        [](GgufWriter& w) {
            w.set("tokenizer.ggml.model", "gpt2");
            w.set("tokenizer.ggml.pre", "klingon");
            w.set_array_strings("tokenizer.ggml.merges", {"a b"});
        },
        ErrorKind::unsupported, "klingon");
}

TEST_CASE("vocab errors: array lengths and types") {
    check_rejected([](GgufWriter& w) { w.set_array_f32("tokenizer.ggml.scores", std::vector<float>{1.0f, 2.0f}); }, ErrorKind::bad_file,
                   "tokenizer.ggml.scores has 2 entries");
    check_rejected([](GgufWriter& w) { w.set_array_i32("tokenizer.ggml.token_type", std::vector<int32_t>{1}); }, ErrorKind::bad_file,
                   "tokenizer.ggml.token_type has 1 entries");
    check_rejected([](GgufWriter& w) { w.set_array_i32("tokenizer.ggml.tokens", std::vector<int32_t>{1, 2}); }, ErrorKind::bad_file,
                   "tokenizer.ggml.tokens must be an array of strings");
    check_rejected([](GgufWriter& w) { w.set_array_strings("tokenizer.ggml.scores", {"x"}); }, ErrorKind::bad_file,
                   "tokenizer.ggml.scores must be an array of numbers");
    check_rejected(
        [](GgufWriter& w) {
            VocabSpec spec = test::tiny_spm_spec();
            std::vector<int32_t> types(spec.token_types.begin(), spec.token_types.end());
            types[5] = 9;
            w.set_array_i32("tokenizer.ggml.token_type", types);
        },
        ErrorKind::bad_file, "tokenizer.ggml.token_type[5] = 9");
}

TEST_CASE("vocab errors: token ids out of range") {
    check_rejected([](GgufWriter& w) { w.set_u32("tokenizer.ggml.bos_token_id", 100000); }, ErrorKind::bad_file,
                   "tokenizer.ggml.bos_token_id = 100000 is out of range");
    check_rejected([](GgufWriter& w) { w.set_u32("tokenizer.ggml.eot_token_id", 275); }, ErrorKind::bad_file, "eot_token_id = 275");
    check_rejected([](GgufWriter& w) { w.set_string("tokenizer.ggml.eos_token_id", "two"); }, ErrorKind::bad_file, "eos_token_id");
    check_rejected(
        [](GgufWriter& w) {
            w.set_i32("tokenizer.ggml.bos_token_id", -1);
            w.set_bool("tokenizer.ggml.add_bos_token", true);
        },
        ErrorKind::bad_file, "add_bos_token is true but the vocab has no BOS");
}

TEST_CASE("vocab errors: token texts and merges") {
    check_rejected(
        [](GgufWriter& w) {
            VocabSpec spec = test::tiny_spm_spec();
            spec.tokens.at(272) = spec.tokens.at(271);
            w.set_array_strings("tokenizer.ggml.tokens", std::span<const std::string>(spec.tokens));
        },
        ErrorKind::bad_file, "duplicate token");
    check_rejected(
        [](GgufWriter& w) {
            VocabSpec spec = test::tiny_spm_spec();
            spec.tokens.at(10) = "<0xZZ>";
            w.set_array_strings("tokenizer.ggml.tokens", std::span<const std::string>(spec.tokens));
        },
        ErrorKind::bad_file, "byte token 10");
    check_rejected([](GgufWriter& w) { w.set("tokenizer.ggml.model", "gpt2"); }, ErrorKind::bad_file, "tokenizer.ggml.merges is missing");
    check_rejected(
        [](GgufWriter& w) {
            w.set("tokenizer.ggml.model", "gpt2");
            w.set_array_strings("tokenizer.ggml.merges", {"a b", "ab"});
        },
        ErrorKind::bad_file, "tokenizer.ggml.merges[1] = 'ab'");
}

TEST_CASE("vocab: hand-made specs are validated the same way") {
    VocabSpec spec = test::tiny_bpe_spec();
    spec.scores.pop_back();
    CHECK_THROWS_AS(Vocab{spec}, Error);
    VocabSpec empty;
    empty.model = "llama";
    CHECK_THROWS_AS(Vocab{empty}, Error);
    VocabSpec spm = test::tiny_spm_spec();
    spm.tokens.at(262).clear();  // empty texts get llama.cpp's placeholder
    CHECK(Vocab(spm).text(262) == "[EMPTY_262]");
}

}  // namespace
}  // namespace hearth::tokenizer
