#pragma once
// Locations of test inputs that live outside the repository.
#include <cstdlib>
#include <filesystem>
#include <string>

namespace hearth::test {

// ../shared/testdata beside the checkout (tokenizer vectors); may be absent.
inline std::filesystem::path shared_testdata() { return HEARTH_SHARED_TESTDATA; }

// Small committed expected outputs (goldens) under tests/data.
inline std::filesystem::path test_data() { return HEARTH_TEST_DATA; }

// The model cache that scripts/fetch-models fills: $HEARTH_MODEL_DIR or ~/.cache/hearth/models.
inline std::filesystem::path model_dir() {
    if (const char* dir = std::getenv("HEARTH_MODEL_DIR")) return dir;
    const char* home = std::getenv("HOME");
    return std::filesystem::path(home ? home : ".") / ".cache" / "hearth" / "models";
}

}  // namespace hearth::test
