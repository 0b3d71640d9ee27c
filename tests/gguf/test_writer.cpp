// Tensors through the writer and reader: layout, alignment, versions, files on disk, and the
// writer's own input checks.
#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "core/error.h"
#include "core/gguf/gguf_file.h"
#include "core/gguf/gguf_writer.h"
#include "tests/gguf/sample_gguf.h"
#include "tests/temp_dir.h"

using namespace hearth;
using namespace hearth::gguf;
using hearth::test::TempDir;

namespace {

void check_tensors_match_writer_input(const GgufFile& file, uint64_t alignment, const uint8_t* base) {
    REQUIRE(file.tensors().size() == 4);
    const TensorInfo& embd = file.get_tensor("token_embd.weight");
    CHECK(embd.type == DType::Q8_0);
    CHECK(embd.shape == std::vector<int64_t>{64, 7});
    CHECK(embd.elements() == 448);
    CHECK(embd.rows() == 7);
    CHECK(embd.nbytes == 2 * 34 * 7);
    const TensorInfo& q41 = file.get_tensor("blk.0.ffn_down.weight");
    CHECK(q41.type == DType::Q4_1);
    CHECK(q41.shape == std::vector<int64_t>{32, 3, 2});
    CHECK(q41.nbytes == 6 * 20);
    CHECK(file.get_tensor("blk.0.attn_q.weight").shape == std::vector<int64_t>{8, 2, 2, 1});
    CHECK(file.get_tensor("output_norm.weight").nbytes == 256);
    CHECK(file.data_offset() % alignment == 0);
    for (const TensorInfo& tensor : file.tensors()) {
        CHECK(tensor.offset % alignment == 0);
        CHECK(static_cast<uint64_t>(tensor.data - base) == file.data_offset() + tensor.offset);
        CHECK(file.find_tensor(tensor.name) == &tensor);
    }
    CHECK(file.find_tensor("absent") == nullptr);
    CHECK_THROWS_AS(file.get_tensor("absent"), Error);
}

}  // namespace

TEST_CASE("tensors round-trip with their bytes at aligned offsets") {
    for (const uint32_t alignment : {32u, 64u, 1u, 4096u}) {
        CAPTURE(alignment);
        const auto bytes = hearth::test::make_sample_gguf({.alignment = alignment});
        const auto file = GgufFile::from_memory(bytes);
        CHECK(file->alignment() == alignment);
        check_tensors_match_writer_input(*file, alignment, bytes.data());
        // Same seed, same bytes: compare one tensor's bytes with a second image's.
        const auto again = hearth::test::make_sample_gguf({.alignment = 32});
        const auto other = GgufFile::from_memory(again);
        const TensorInfo& a = file->get_tensor("blk.0.ffn_down.weight");
        const TensorInfo& b = other->get_tensor("blk.0.ffn_down.weight");
        CHECK(std::memcmp(a.data, b.data, a.nbytes) == 0);
    }
}

TEST_CASE("tensor bytes read back are exactly those given") {
    std::vector<uint8_t> data(2 * 34);
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7 + 3);
    GgufWriter w;
    w.add_tensor("x", DType::Q8_0, {64}, data);
    std::vector<uint8_t> small = {1, 2, 3, 4};
    w.add_tensor_view("y", DType::F32, {1}, small);
    const auto bytes = w.to_bytes();
    const auto file = GgufFile::from_memory(bytes);
    const TensorInfo& x = file->get_tensor("x");
    CHECK(std::vector<uint8_t>(x.data, x.data + x.nbytes) == data);
    const TensorInfo& y = file->get_tensor("y");
    CHECK(std::vector<uint8_t>(y.data, y.data + y.nbytes) == small);
    CHECK(y.offset == 96);  // 68 bytes of x padded to 32
    CHECK(bytes.size() == file->data_offset() + 96 + 4);  // no padding after the last tensor
}

TEST_CASE("version 2 files are written and accepted") {
    const auto bytes = hearth::test::make_sample_gguf({.version = 2});
    const auto file = GgufFile::from_memory(bytes);
    CHECK(file->version() == 2);
    check_tensors_match_writer_input(*file, 32, bytes.data());
}

TEST_CASE("write_file writes atomically and open() maps the result") {
    TempDir dir;
    const std::string path = (dir.path() / "model.gguf").string();
    const auto writer = hearth::test::make_sample_writer({.alignment = 64});
    writer.write_file(path);
    writer.write_file(path);  // replacing an existing file works too
    size_t entries = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) ++entries;
    CHECK(entries == 1);  // no temporary file left behind
    const auto file = GgufFile::open(path);
    CHECK(file->path() == path);
    CHECK(file->file_size() == writer.to_bytes().size());
    CHECK(file->get_string("general.architecture") == "llama");
    CHECK(file->get_array("tokenizer.ggml.tokens").size() == 7);
    check_tensors_match_writer_input(*file, 64, file->tensors()[0].data - file->data_offset());

    CHECK_THROWS_AS(writer.write_file((dir.path() / "no-such-dir" / "x.gguf").string()), Error);
    try {
        GgufFile::open((dir.path() / "absent.gguf").string());
        FAIL("opening a missing file must throw");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::io);
    }
    CHECK_THROWS_AS(GgufFile::open(dir.path().string()), Error);  // a directory
    const std::string empty = (dir.path() / "empty.gguf").string();
    std::fclose(std::fopen(empty.c_str(), "w"));
    CHECK_THROWS_AS(GgufFile::open(empty), Error);
}

TEST_CASE("the writer rejects tensors and settings that would make a bad file") {
    GgufWriter w;
    const std::vector<uint8_t> four(4);
    auto rejects = [](auto&& action) {
        try {
            action();
            return false;
        } catch (const Error& e) {
            return e.kind() == ErrorKind::bad_request;
        }
    };
    CHECK(rejects([&] { w.add_tensor("", DType::F32, {1}, four); }));
    CHECK(rejects([&] { w.add_tensor("t", DType::F32, {}, {}); }));
    CHECK(rejects([&] { w.add_tensor("t", DType::F32, {1, 1, 1, 1, 1}, four); }));
    CHECK(rejects([&] { w.add_tensor("t", DType::F32, {0}, {}); }));
    CHECK(rejects([&] { w.add_tensor("t", DType::F32, {-1}, four); }));
    CHECK(rejects([&] { w.add_tensor("t", DType::F32, {2}, four); }));       // needs 8 bytes
    CHECK(rejects([&] { w.add_tensor("t", DType::Q4_0, {16}, four); }));     // not a whole block
    CHECK(rejects([&] { w.add_tensor("t", DType::F32, {int64_t{1} << 40, int64_t{1} << 40}, four); }));
    w.add_tensor("t", DType::F32, {1}, four);
    CHECK(rejects([&] { w.add_tensor("t", DType::F32, {1}, four); }));  // duplicate
    CHECK(w.tensor_count() == 1);
    CHECK(rejects([&] { w.set_alignment(0); }));
    CHECK(rejects([&] { w.set_alignment(3); }));
    CHECK(rejects([&] { w.set_version(1); }));
    CHECK(rejects([&] { w.set_u32("", 1); }));
    w.set("general.alignment", "not a number");
    CHECK(rejects([&] { w.to_bytes(); }));
    w.set_u32("general.alignment", 48);
    CHECK(rejects([&] { w.to_bytes(); }));
    w.set_alignment(16);
    CHECK(GgufFile::from_memory(w.to_bytes())->alignment() == 16);
}
