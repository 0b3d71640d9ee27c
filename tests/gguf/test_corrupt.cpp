// The corrupt-file suite, part 1: truncations and seeded random byte flips of a valid
// writer-made file and (when present) of the real model. Every input must either parse or throw
// hearth::Error, without a huge allocation.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include "core/error.h"
#include "core/gguf/gguf_file.h"
#include "tests/gguf/parse_probe.h"
#include "tests/gguf/sample_gguf.h"
#include "tests/test_paths.h"

using namespace hearth;
using namespace hearth::test;

namespace {

struct Tally {
    size_t parsed = 0;
    size_t rejected = 0;
    size_t over_allocation_bound = 0;
};

void probe_into(std::span<const uint8_t> bytes, Tally& tally) {
    const ProbeResult result = probe_parse(bytes);
    (result.parsed ? tally.parsed : tally.rejected) += 1;
    if (result.largest_allocation > allocation_bound(bytes.size())) tally.over_allocation_bound += 1;
}

// Flips 1 to 3 bytes (a random bit, or a random new value), with most flips in the header
// region where they change structure rather than tensor payload.
void flip_and_probe(std::vector<uint8_t>& bytes, uint64_t header_end, std::mt19937_64& rng, Tally& tally) {
    struct Saved {
        size_t pos;
        uint8_t byte;
    };
    std::vector<Saved> saved;
    const size_t flips = 1 + rng() % 3;
    for (size_t i = 0; i < flips; ++i) {
        const uint64_t range = rng() % 5 == 0 ? bytes.size() : header_end;
        const size_t pos = static_cast<size_t>(rng() % range);
        saved.push_back({pos, bytes[pos]});
        bytes[pos] = rng() % 2 ? static_cast<uint8_t>(bytes[pos] ^ (1u << (rng() % 8))) : static_cast<uint8_t>(rng());
    }
    probe_into(bytes, tally);
    for (auto it = saved.rbegin(); it != saved.rend(); ++it) bytes[it->pos] = it->byte;
}

std::vector<uint8_t> read_whole_file(const std::filesystem::path& path) {
    std::vector<uint8_t> bytes(std::filesystem::file_size(path));
    std::ifstream in(path, std::ios::binary);
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    REQUIRE(in.good());
    return bytes;
}

}  // namespace

TEST_CASE("corrupt: every truncation of a writer-made file is rejected") {
    for (const uint32_t tensors : {4u, 0u}) {
        CAPTURE(tensors);
        const auto bytes = make_sample_gguf({.alignment = 64, .tensor_count = tensors});
        REQUIRE(probe_parse(bytes).parsed);
        Tally tally;
        for (size_t size = 0; size < bytes.size(); ++size) {
            try {
                gguf::GgufFile::from_memory(std::span(bytes).first(size));
                // Without tensors, dropping the tail padding still leaves a valid file.
                if (tensors != 0) FAIL("a truncation to " << size << " bytes was accepted");
            } catch (const Error& e) {
                CHECK(e.kind() == ErrorKind::bad_file);
            }
            probe_into(std::span(bytes).first(size), tally);
        }
        CHECK(tally.over_allocation_bound == 0);
    }
}

TEST_CASE("corrupt: seeded random byte flips of a writer-made file parse or throw Error") {
    for (const uint32_t seed : {1u, 2u, 3u}) {
        auto bytes = make_sample_gguf({.version = 2 + seed % 2, .alignment = 32u << seed, .seed = seed});
        const auto header_end = gguf::GgufFile::from_memory(bytes)->data_offset();
        std::mt19937_64 rng(seed);
        Tally tally;
        for (int i = 0; i < 3000; ++i) flip_and_probe(bytes, header_end, rng, tally);
        CAPTURE(seed);
        CHECK(tally.over_allocation_bound == 0);
        // Both outcomes occur, so the flips really reach the parser's checks.
        CHECK(tally.parsed > 50);
        CHECK(tally.rejected > 500);
    }
}

TEST_CASE("corrupt: truncations and flips of the real model's header region") {
    const auto path = model_dir() / "SmolLM2-135M-Instruct.Q4_1.gguf";
    if (!std::filesystem::exists(path)) {
        MESSAGE("skipping: " << path.string() << " not found (set HEARTH_MODEL_DIR)");
        return;
    }
    auto bytes = read_whole_file(path);
    const uint64_t header_end = gguf::GgufFile::from_memory(bytes)->data_offset();
    REQUIRE(header_end < bytes.size());
    std::mt19937_64 rng(42);

    // Every offset of the fixed header and first metadata; a sample of the rest and of the data.
    std::vector<uint64_t> cuts;
    for (uint64_t size = 0; size < 4096; ++size) cuts.push_back(size);
    for (int i = 0; i < 400; ++i) cuts.push_back(4096 + rng() % (header_end - 4096));
    for (int i = 0; i < 50; ++i) cuts.push_back(header_end + rng() % (bytes.size() - header_end));
    cuts.push_back(header_end);
    cuts.push_back(bytes.size() - 1);
    Tally truncated;
    for (const uint64_t size : cuts) probe_into(std::span(bytes).first(size), truncated);
    CHECK(truncated.parsed == 0);
    CHECK(truncated.over_allocation_bound == 0);

    Tally flipped;
    for (int i = 0; i < 500; ++i) flip_and_probe(bytes, header_end, rng, flipped);
    CHECK(flipped.over_allocation_bound == 0);
    CHECK(flipped.rejected + flipped.parsed == 500);
}
