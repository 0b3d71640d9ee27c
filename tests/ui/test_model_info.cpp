#include <doctest/doctest.h>

#include <fstream>
#include <unistd.h>

#include "core/error.h"
#include "tests/models/tiny_model.h"
#include "tests/test_paths.h"
#include "ui/model_info.h"

using namespace hearth;
using namespace hearth::ui;

namespace {

void write_file(const std::filesystem::path& path, const std::vector<uint8_t>& bytes) {
    std::ofstream file(path, std::ios::binary);
    file.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

TEST_CASE("model info comes from the GGUF metadata and tensor table") {
    const auto dir = std::filesystem::temp_directory_path() / ("hearth-ui-models-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    const std::vector<uint8_t> tiny = test::tiny_model_bytes();
    write_file(dir / "b-tiny.gguf", tiny);
    write_file(dir / "a-broken.gguf", {'G', 'G', 'U', 'F', 3, 0});
    write_file(dir / "notes.txt", {'h', 'i'});

    const ModelInfo info = read_model_info(dir / "b-tiny.gguf");
    CHECK(info.architecture == "llama");
    CHECK(info.name == "b-tiny");  // no general.name: the file name
    CHECK(info.quant_type == "F32");
    CHECK(info.context_length == 256);
    CHECK(info.file_bytes == tiny.size());
    CHECK_THROWS_AS(read_model_info(dir / "a-broken.gguf"), Error);

    const auto entries = scan_model_folder(dir);
    REQUIRE(entries.size() == 2);  // notes.txt is not a model
    CHECK(entries[0].path.filename() == "a-broken.gguf");
    CHECK_FALSE(entries[0].info.has_value());
    CHECK_FALSE(entries[0].error.empty());
    CHECK(entries[1].info.has_value());
    CHECK(scan_model_folder(dir / "absent").empty());
    std::filesystem::remove_all(dir);
}

TEST_CASE("the real SmolLM2 file: architecture, quant type, context length") {
    const auto path = test::model_dir() / "SmolLM2-135M-Instruct.Q4_1.gguf";
    if (!std::filesystem::exists(path)) {
        MESSAGE("skipped: " << path.string() << " is absent");
        return;
    }
    const ModelInfo info = read_model_info(path);
    CHECK(info.architecture == "llama");
    CHECK(info.quant_type == "Q4_1");
    CHECK(info.context_length == 8192);
    CHECK(info.size_label == "135M");
}

TEST_CASE("byte counts read like a file manager's") {
    CHECK(format_bytes(512) == "512 B");
    CHECK(format_bytes(1536) == "1.5 KiB");
    CHECK(format_bytes(98362432) == "93.8 MiB");
    CHECK(format_bytes(3ull << 30) == "3.0 GiB");
}
