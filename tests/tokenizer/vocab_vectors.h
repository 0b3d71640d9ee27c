#pragma once
// Reads llama.cpp's tokenizer test vectors (shared testdata: NAME.gguf with NAME.gguf.inp and
// NAME.gguf.out) for the tests.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace hearth::test {

struct VocabCase {
    std::string text;
    std::vector<int32_t> expected;
};

// The folder of the vectors (may be absent).
std::filesystem::path vocab_vector_dir();
// NAME.gguf files that have both .inp and .out beside them, sorted.
std::vector<std::filesystem::path> vocab_vector_files();
// NAME.gguf names whose .inp/.out are present without the vocab file itself, sorted.
std::vector<std::string> vocab_vectors_without_gguf();
// The cases of one NAME.gguf; throws std::runtime_error when the files disagree.
std::vector<VocabCase> read_vocab_cases(const std::filesystem::path& gguf_path);

}  // namespace hearth::test
