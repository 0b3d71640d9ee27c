// The real SmolLM2-135M Q4_1 file from the model cache, when present: its known layout, and a
// full copy through the writer that must read back identical.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "core/gguf/gguf_file.h"
#include "core/gguf/gguf_writer.h"
#include "tests/test_paths.h"

using namespace hearth;
using namespace hearth::gguf;

namespace {

std::unique_ptr<GgufFile> open_smollm2_or_skip() {
    const auto path = hearth::test::model_dir() / "SmolLM2-135M-Instruct.Q4_1.gguf";
    if (!std::filesystem::exists(path)) {
        MESSAGE("skipping: " << path.string() << " not found (set HEARTH_MODEL_DIR)");
        return nullptr;
    }
    return GgufFile::open(path.string());
}

}  // namespace

TEST_CASE("real model: SmolLM2-135M-Instruct Q4_1 has its known layout") {
    const auto file = open_smollm2_or_skip();
    if (!file) return;
    CHECK(file->version() == 3);
    CHECK(file->alignment() == 32);
    CHECK(file->tensors().size() == 272);
    CHECK(file->get_string("general.architecture") == "llama");
    CHECK(file->get_int("llama.block_count") == 30);
    CHECK(file->get_int("llama.embedding_length") == 576);
    CHECK(file->get_array("tokenizer.ggml.tokens").size() == 49152);
    CHECK(file->get_array("tokenizer.ggml.tokens").elem_type == ValueType::string);

    const TensorInfo& embd = file->get_tensor("token_embd.weight");
    CHECK(embd.type == DType::Q8_0);
    CHECK(embd.shape == std::vector<int64_t>{576, 49152});
    CHECK(embd.nbytes == uint64_t{576} / 32 * 34 * 49152);
    const TensorInfo& down = file->get_tensor("blk.0.ffn_down.weight");
    CHECK(down.type == DType::Q4_1);
    CHECK(down.shape == std::vector<int64_t>{1536, 576});
    CHECK(down.nbytes == uint64_t{1536} / 32 * 20 * 576);

    uint64_t end = 0;
    for (const TensorInfo& tensor : file->tensors())
        end = std::max(end, file->data_offset() + tensor.offset + tensor.nbytes);
    CHECK(end <= file->file_size());
    CHECK(end + 32 > file->file_size());  // the data section ends with the last tensor
}

TEST_CASE("real model: copying all metadata and tensors through the writer reads back identical") {
    const auto file = open_smollm2_or_skip();
    if (!file) return;
    GgufWriter writer;
    for (const auto& [key, value] : file->metadata()) writer.set_value(key, value);
    for (const TensorInfo& t : file->tensors())
        writer.add_tensor_view(t.name, t.type, t.shape, std::span<const uint8_t>(t.data, t.nbytes));
    const auto bytes = writer.to_bytes();
    const auto copy = GgufFile::from_memory(bytes);
    CHECK(copy->metadata() == file->metadata());
    REQUIRE(copy->tensors().size() == file->tensors().size());
    for (size_t i = 0; i < copy->tensors().size(); ++i) {
        const TensorInfo& a = file->tensors()[i];
        const TensorInfo& b = copy->tensors()[i];
        CAPTURE(a.name);
        CHECK(b.name == a.name);
        CHECK(b.type == a.type);
        CHECK(b.shape == a.shape);
        CHECK(b.nbytes == a.nbytes);
        CHECK(std::memcmp(a.data, b.data, a.nbytes) == 0);
    }
}
