#include "tests/tokenizer/vocab_vectors.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/test_paths.h"

namespace hearth::test {
namespace {

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

// Splits on the separator; one at the very end closes the last string.
std::vector<std::string> split_inputs(const std::string& data) {
    const std::string separator = "\n__ggml_vocab_test__\n";
    std::vector<std::string> parts;
    size_t pos = 0;
    while (pos < data.size()) {
        const size_t hit = data.find(separator, pos);
        if (hit == std::string::npos) {
            parts.push_back(data.substr(pos));
            break;
        }
        parts.push_back(data.substr(pos, hit - pos));
        pos = hit + separator.size();
    }
    return parts;
}

std::vector<int32_t> parse_ids(const std::string& line) {
    std::istringstream in(line);
    std::vector<int32_t> ids;
    int64_t id = 0;
    while (in >> id) ids.push_back(static_cast<int32_t>(id));
    if (!in.eof()) throw std::runtime_error("bad id line: " + line);
    return ids;
}

}  // namespace

std::filesystem::path vocab_vector_dir() { return shared_testdata() / "vocab"; }

std::vector<std::filesystem::path> vocab_vector_files() {
    std::vector<std::filesystem::path> files;
    std::error_code error;
    if (!std::filesystem::is_directory(vocab_vector_dir(), error)) return files;
    for (const auto& entry : std::filesystem::directory_iterator(vocab_vector_dir())) {
        const auto& path = entry.path();
        if (path.extension() != ".gguf") continue;
        if (std::filesystem::exists(path.string() + ".inp") && std::filesystem::exists(path.string() + ".out")) files.push_back(path);
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::vector<std::string> vocab_vectors_without_gguf() {
    std::vector<std::string> names;
    std::error_code error;
    if (!std::filesystem::is_directory(vocab_vector_dir(), error)) return names;
    for (const auto& entry : std::filesystem::directory_iterator(vocab_vector_dir())) {
        const auto& path = entry.path();
        if (path.extension() != ".inp") continue;
        const auto gguf = path.parent_path() / path.stem();  // NAME.gguf
        if (!std::filesystem::exists(gguf)) names.push_back(gguf.filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

std::vector<VocabCase> read_vocab_cases(const std::filesystem::path& gguf_path) {
    const std::vector<std::string> inputs = split_inputs(read_file(gguf_path.string() + ".inp"));
    std::istringstream outputs(read_file(gguf_path.string() + ".out"));
    std::vector<VocabCase> cases;
    std::string line;
    for (const std::string& input : inputs) {
        if (!std::getline(outputs, line)) throw std::runtime_error(gguf_path.string() + ".out has fewer lines than test strings");
        cases.push_back(VocabCase{input, parse_ids(line)});
    }
    if (std::getline(outputs, line) && !line.empty()) throw std::runtime_error(gguf_path.string() + ".out has more lines than test strings");
    return cases;
}

}  // namespace hearth::test
