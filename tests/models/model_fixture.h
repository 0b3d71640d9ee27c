#pragma once
// Loads a cached real model once per test binary; tests skip (with a message) when it is absent,
// and scripts/test always fetches it first, so in CI they run.
#include <doctest/doctest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "backends/cpu/cpu_backend.h"
#include "core/gguf/gguf_file.h"
#include "models/model.h"
#include "tests/test_paths.h"

namespace hearth::test {

struct LoadedTestModel {
    std::unique_ptr<gguf::GgufFile> file;
    std::unique_ptr<cpu::CpuBackend> backend;
    std::unique_ptr<Model> model;
};

// Null (and a doctest MESSAGE) when the file is not in the model cache. exact: ggml's portable
// arithmetic (cpu::CpuOptions::exact), which the llama.cpp goldens are compared with bit for bit.
inline std::unique_ptr<LoadedTestModel> load_test_model(const std::string& file_name, bool exact = true) {
    const auto path = model_dir() / file_name;
    if (!std::filesystem::exists(path)) {
        MESSAGE("skipped: " << path.string() << " is absent (scripts/fetch-models fetches it)");
        return nullptr;
    }
    auto loaded = std::make_unique<LoadedTestModel>();
    loaded->file = gguf::GgufFile::open(path.string());
    loaded->backend = std::make_unique<cpu::CpuBackend>(cpu::CpuOptions{.exact = exact});
    loaded->model = load_model(*loaded->file, *loaded->backend);
    return loaded;
}

}  // namespace hearth::test
