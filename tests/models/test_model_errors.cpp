// Files that parse as GGUF but do not describe a model Hearth can run get errors that name the
// problem and what is supported; a well-formed tiny model loads and runs.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "backends/cpu/cpu_backend.h"
#include "core/engine/session.h"
#include "core/error.h"
#include "models/model.h"
#include "tests/models/tiny_model.h"

namespace hearth {
namespace {

// The error load_model throws for these bytes, or a failure when it loads.
Error load_error(const std::vector<uint8_t>& bytes) {
    const auto file = gguf::GgufFile::from_memory(bytes);
    cpu::CpuBackend backend(cpu::CpuOptions{1});
    try {
        load_model(*file, backend);
    } catch (const Error& e) {
        return e;
    }
    FAIL("the model loaded");
    return Error(ErrorKind::internal, "unreachable");
}

bool contains(const Error& e, const std::string& text) { return std::string(e.what()).find(text) != std::string::npos; }

TEST_CASE("a well-formed tiny llama loads and gives finite logits") {
    const auto bytes = test::tiny_model_bytes();
    const auto file = gguf::GgufFile::from_memory(bytes);
    cpu::CpuBackend backend(cpu::CpuOptions{2});
    const auto model = load_model(*file, backend);
    CHECK(model->config().n_vocab == 32);
    CHECK(model->config().n_head_kv == 1);
    Session session(*model, SessionOptions{64, 8});
    const std::vector<int32_t> prompt = {1, 5, 9, 3, 30, 2, 7, 11, 13, 4, 6};  // two prefill batches of 8
    const auto logits = session.feed(prompt);
    REQUIRE(logits.size() == 32);
    for (float l : logits) CHECK(std::isfinite(l));
    CHECK(session.n_past() == static_cast<int32_t>(prompt.size()));
}

TEST_CASE("batched prefill gives the same logits as token-by-token decoding") {
    const auto bytes = test::tiny_model_bytes();
    const auto file = gguf::GgufFile::from_memory(bytes);
    cpu::CpuBackend backend(cpu::CpuOptions{2});
    const auto model = load_model(*file, backend);
    const std::vector<int32_t> prompt = {3, 1, 4, 1, 5, 9, 2, 6, 5};
    Session batched(*model, SessionOptions{32, 512});
    const auto together = batched.feed(prompt);
    const std::vector<float> expected(together.begin(), together.end());
    Session stepwise(*model, SessionOptions{32, 1});
    const auto one_by_one = stepwise.feed(prompt);
    CHECK(std::vector<float>(one_by_one.begin(), one_by_one.end()) == expected);
}

TEST_CASE("an unknown architecture is refused naming the supported ones") {
    const Error e = load_error(test::tiny_model_bytes({.architecture = "mamba"}));
    CHECK(e.kind() == ErrorKind::unsupported);
    CHECK(contains(e, "mamba"));
    CHECK(contains(e, "llama, qwen2, gemma3"));
}

TEST_CASE("a missing tensor is named") {
    const Error e = load_error(test::tiny_model_bytes({.skip_tensor = "blk.0.ffn_up.weight"}));
    CHECK(e.kind() == ErrorKind::bad_file);
    CHECK(contains(e, "blk.0.ffn_up.weight"));
}

TEST_CASE("a tensor of the wrong shape is named with both shapes") {
    const Error e = load_error(test::tiny_model_bytes({.odd_shape_tensor = "blk.0.attn_k.weight"}));
    CHECK(e.kind() == ErrorKind::bad_file);
    CHECK(contains(e, "blk.0.attn_k.weight"));
    CHECK(contains(e, "expected [64, 32]"));
}

TEST_CASE("a tensor type without kernels is refused naming the supported types") {
    const Error e = load_error(test::tiny_model_bytes({.ffn_down_type = DType::Q2_K}));
    CHECK(e.kind() == ErrorKind::unsupported);
    CHECK(contains(e, "Q2_K"));
    CHECK(contains(e, "Q4_K"));
}

TEST_CASE("context overflow is a clear error and appends nothing") {
    const auto bytes = test::tiny_model_bytes();
    const auto file = gguf::GgufFile::from_memory(bytes);
    cpu::CpuBackend backend(cpu::CpuOptions{1});
    const auto model = load_model(*file, backend);
    Session session(*model, SessionOptions{4, 4});
    const std::vector<int32_t> prompt = {1, 2, 3, 4, 5};
    CHECK_THROWS_WITH_AS(session.feed(prompt), doctest::Contains("context overflow"), Error);
    CHECK(session.n_past() == 0);
    const std::vector<int32_t> bad_token = {99};
    CHECK_THROWS_WITH_AS(session.feed(bad_token), doctest::Contains("outside the vocabulary"), Error);
}

}  // namespace
}  // namespace hearth
