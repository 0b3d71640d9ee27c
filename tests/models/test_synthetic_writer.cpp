// `hearth synth` files: every shape and weight mix writes a GGUF that Hearth loads and runs, with
// the tensor types the mix names and the tokenizer of the source file.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>

#include "backends/cpu/cpu_backend.h"
#include "core/engine/session.h"
#include "core/error.h"
#include "models/model.h"
#include "models/synthetic.h"
#include "tests/models/synthetic_model.h"

namespace hearth {
namespace {

std::string temp_path(const std::string& name) {
    return (std::filesystem::temp_directory_path() / ("hearth-test-" + name + ".gguf")).string();
}

TEST_CASE("synthetic writer: tiny shapes load and run in every weight mix") {
    const auto vocab_bytes = test::synthetic_model_bytes(test::SyntheticArch::qwen2);
    const auto vocab = gguf::GgufFile::from_memory(vocab_bytes);
    for (const std::string shape : {"llama-tiny", "qwen2-tiny"}) {
        for (const std::string mix : {"Q4_0", "Q5_1", "Q8_0", "BF16", "Q4_K_M"}) {
            CAPTURE(shape);
            CAPTURE(mix);
            const std::string path = temp_path(shape + "-" + mix);
            write_synthetic_model(SyntheticRequest{shape, mix, 3, 2}, *vocab, path);
            const auto file = gguf::GgufFile::open(path);
            CHECK(file->get_string("general.architecture") == shape.substr(0, shape.find('-')));
            CHECK(file->get_array("tokenizer.ggml.tokens").size() == vocab->get_array("tokenizer.ggml.tokens").size());
            const SyntheticMix expected = synthetic_mix(mix);
            CHECK(file->get_tensor("blk.1.ffn_up.weight").type == expected.matrix);
            CHECK(file->get_tensor("blk.0.attn_v.weight").type == expected.attn_v);
            CHECK(file->get_tensor("output.weight").type == expected.output);
            cpu::CpuBackend backend(cpu::CpuOptions{2});
            const auto model = load_model(*file, backend);
            Session session(*model, SessionOptions{16, 16});
            const std::vector<int32_t> prompt = {1, 2, 3, 4};
            const auto logits = session.feed(prompt);
            bool finite = true;
            for (float l : logits) finite = finite && std::isfinite(l);
            CHECK(finite);
            std::filesystem::remove(path);
        }
    }
}

TEST_CASE("synthetic writer: unknown shapes and mixes are named") {
    const auto vocab_bytes = test::synthetic_model_bytes(test::SyntheticArch::llama);
    const auto vocab = gguf::GgufFile::from_memory(vocab_bytes);
    CHECK_THROWS_WITH_AS(write_synthetic_model(SyntheticRequest{"llama-3t", "Q4_0", 1, 1}, *vocab, temp_path("x")),
                         doctest::Contains("known: llama-tiny"), Error);
    CHECK_THROWS_WITH_AS(synthetic_mix("Q3_K_S"), doctest::Contains("known: Q4_0"), Error);
}

}  // namespace
}  // namespace hearth
