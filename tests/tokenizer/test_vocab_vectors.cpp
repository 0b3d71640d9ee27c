// llama.cpp's tokenizer test vectors: every string must encode to exactly the reference ids
// (no BOS/EOS, no special-token parsing), and decode back to itself.
#include <doctest/doctest.h>

#include <sstream>

#include "core/gguf/gguf_file.h"
#include "core/tokenizer/tokenizer.h"
#include "tests/tokenizer/vocab_vectors.h"

namespace hearth::tokenizer {
namespace {

std::string join(const std::vector<int32_t>& ids) {
    std::ostringstream out;
    for (int32_t id : ids) out << id << ' ';
    return out.str();
}

// Returns how many cases failed; reports each.
int check_vocab(const std::filesystem::path& path) {
    const auto file = gguf::GgufFile::open(path.string());
    const Tokenizer tokenizer = Tokenizer::from_gguf(*file);
    int failures = 0;
    for (const test::VocabCase& c : test::read_vocab_cases(path)) {
        const std::vector<int32_t> ids = tokenizer.encode(c.text);
        if (ids != c.expected) {
            ++failures;
            FAIL_CHECK(path.filename().string() << ": '" << c.text << "'\n  got      " << join(ids) << "\n  expected " << join(c.expected));
            continue;
        }
        const std::string decoded = tokenizer.decode(ids);
        CHECK_MESSAGE(decoded == c.text, path.filename().string() << ": decode(encode('" << c.text << "')) = '" << decoded << "'");
    }
    return failures;
}

TEST_CASE("tokenizer vectors: every vocab with a .gguf matches llama.cpp's reference ids") {
    const auto files = test::vocab_vector_files();
    if (files.empty()) {
        MESSAGE("skipped: no tokenizer vectors in " << test::vocab_vector_dir().string());
        return;
    }
    for (const auto& path : files) {
        CAPTURE(path.filename().string());
        const int failures = check_vocab(path);
        MESSAGE(path.filename().string() << ": " << (failures == 0 ? "all cases match" : std::to_string(failures) + " cases differ"));
    }
    for (const std::string& name : test::vocab_vectors_without_gguf()) MESSAGE("not checked (no vocab file): " << name);
}

}  // namespace
}  // namespace hearth::tokenizer
