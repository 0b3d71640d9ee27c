// The corrupt-file suite, part 2: hand-made absurd values. Each must throw hearth::Error of the
// right kind, with a message naming the problem, and without a huge allocation.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "core/error.h"
#include "core/gguf/gguf_file.h"
#include "tests/gguf/parse_probe.h"
#include "tests/gguf/raw_gguf.h"

using namespace hearth;
using hearth::test::RawGguf;

namespace {

constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();
constexpr uint32_t kF32 = 0, kQ4_0 = 2, kF64 = 28;
constexpr uint32_t kTypeString = 8, kTypeArray = 9, kTypeU32 = 4, kTypeU64 = 10, kTypeBool = 7;

struct OneTensor {
    std::vector<uint64_t> dims = {8};
    uint32_t type = kF32;
    uint64_t offset = 0;
    size_t data_bytes = 32;
};

// A valid file around one tensor: a header, one string kv, the tensor info, padding, data.
std::vector<uint8_t> one_tensor_file(const OneTensor& t) {
    RawGguf raw;
    raw.header(3, 1, 1).kv_string("general.architecture", "llama").tensor("w", t.dims, t.type, t.offset);
    return raw.pad_to(32).zeros(t.data_bytes).bytes;
}

// A header with no tensors and one kv whose raw encoding follows, then some slack bytes.
RawGguf one_kv(std::string_view key) {
    RawGguf raw;
    raw.header(3, 0, 1).str(key);
    return raw;
}

void expect_error(const std::vector<uint8_t>& bytes, ErrorKind kind, const std::string& needle) {
    CAPTURE(needle);
    try {
        gguf::GgufFile::from_memory(bytes);
        FAIL("accepted a hostile file");
    } catch (const Error& e) {
        const std::string message = e.what();
        CAPTURE(message);
        CHECK(e.kind() == kind);
        CHECK(message.find(needle) != std::string::npos);
    }
    CHECK(hearth::test::probe_parse(bytes).largest_allocation <= hearth::test::allocation_bound(bytes.size()));
}

void expect_bad(const std::vector<uint8_t>& bytes, const std::string& needle) {
    expect_error(bytes, ErrorKind::bad_file, needle);
}

}  // namespace

TEST_CASE("hostile: the hand-made baseline file is valid") {
    const auto bytes = one_tensor_file({});
    const auto file = gguf::GgufFile::from_memory(bytes);
    CHECK(file->get_tensor("w").nbytes == 32);
    CHECK(file->get_string("general.architecture") == "llama");
}

TEST_CASE("hostile: magic, version and empty input") {
    expect_bad({}, "truncated at byte 0");
    auto bytes = one_tensor_file({});
    bytes[0] = 'X';
    expect_bad(bytes, "magic");
    for (const uint32_t version : {0u, 1u, 4u, 99u}) {
        auto copy = RawGguf().header(version, 0, 0).bytes;
        expect_error(copy, ErrorKind::unsupported, "version " + std::to_string(version));
    }
    expect_error(RawGguf().header(0x03000000, 0, 0).bytes, ErrorKind::unsupported, "big-endian");
}

TEST_CASE("hostile: counts that cannot fit in the file") {
    expect_bad(RawGguf().header(3, uint64_t{1} << 62, 0).zeros(64).bytes, "cannot fit");
    expect_bad(RawGguf().header(3, 0, uint64_t{1} << 62).zeros(64).bytes, "cannot fit");
    expect_bad(RawGguf().header(3, kU64Max, kU64Max).zeros(64).bytes, "cannot fit");
    // Each count alone fits but together they do not.
    expect_bad(RawGguf().header(3, 2, 3).zeros(2 * 33 + 2 * 14).bytes, "cannot fit");
}

TEST_CASE("hostile: huge string lengths") {
    expect_bad(RawGguf().header(3, 0, 1).u64(kU64Max).zeros(32).bytes, "claims");
    expect_bad(one_kv("k").u32(kTypeString).u64(uint64_t{1} << 60).zeros(32).bytes, "claims");
    auto strings = one_kv("k").u32(kTypeArray).u32(kTypeString).u64(2).str("ok").u64(kU64Max - 3).zeros(8);
    expect_bad(strings.bytes, "element 1: string length");
    RawGguf tensor_name;
    tensor_name.header(3, 1, 0).u64(uint64_t{1} << 50).zeros(64);
    expect_bad(tensor_name.bytes, "tensor #0");
}

TEST_CASE("hostile: huge array counts") {
    expect_bad(one_kv("k").u32(kTypeArray).u32(kTypeU32).u64(uint64_t{1} << 61).zeros(64).bytes, "declares");
    expect_bad(one_kv("k").u32(kTypeArray).u32(kTypeString).u64(uint64_t{1} << 40).zeros(64).bytes, "declares");
    expect_bad(one_kv("k").u32(kTypeArray).u32(kTypeU64).u64(kU64Max).zeros(64).bytes, "declares");
    // Just one element more than the bytes left can hold.
    expect_bad(one_kv("k").u32(kTypeArray).u32(kTypeU32).u64(17).zeros(64).bytes, "declares");
}

TEST_CASE("hostile: bad value types and values") {
    expect_bad(one_kv("k").u32(13).zeros(16).bytes, "unknown value type 13");
    expect_bad(one_kv("k").u32(0xFFFFFFFF).zeros(16).bytes, "unknown value type 4294967295");
    expect_bad(one_kv("k").u32(kTypeArray).u32(77).u64(1).zeros(16).bytes, "unknown array element type 77");
    expect_error(one_kv("k").u32(kTypeArray).u32(kTypeArray).u64(1).zeros(16).bytes, ErrorKind::unsupported, "nested");
    expect_bad(one_kv("flag").u32(kTypeBool).u8(2).bytes, "bool value 2");
    expect_bad(one_kv("k").u32(kTypeArray).u32(kTypeU64).u64(1).u64(kU64Max).bytes, "INT64_MAX");
    expect_bad(RawGguf().header(3, 0, 1).str("").u32(kTypeU32).u32(1).bytes, "empty key");
    RawGguf duplicate;
    duplicate.header(3, 0, 2).kv_u32("same", 1).kv_u32("same", 2);
    expect_bad(duplicate.bytes, "duplicate key");
    // Names from the file are escaped and cut short in messages.
    RawGguf control;
    control.header(3, 0, 2).kv_u32("bad\x01key\n", 1).kv_u32("bad\x01key\n", 2);
    expect_bad(control.bytes, "'bad\\x01key\\x0a'");
    RawGguf long_name;
    const std::string long_key(1000, 'k');
    long_name.header(3, 0, 2).kv_u32(long_key, 1).kv_u32(long_key, 2);
    expect_bad(long_name.bytes, "'" + std::string(80, 'k') + "...'");
    // Errors name the entry and the byte where it starts.
    expect_bad(duplicate.bytes, "metadata entry #1 at byte 44 'same'");
}

TEST_CASE("hostile: alignment") {
    for (const uint32_t alignment : {0u, 3u, 48u}) {
        RawGguf raw;
        raw.header(3, 0, 1).kv_u32("general.alignment", alignment);
        expect_bad(raw.bytes, "power of two");
    }
    // Found by the fuzzer: a valid power of two so large that copying the file through the writer
    // would allocate gigabytes of padding.
    RawGguf huge;
    huge.header(3, 0, 1).kv_u32("general.alignment", 0x80000000u);
    expect_bad(huge.bytes, "larger than the 1048576 Hearth accepts");
    RawGguf text;
    text.header(3, 0, 1).kv_string("general.alignment", "32");
    expect_bad(text.bytes, "expected u32");
    RawGguf wide;
    wide.header(3, 0, 1).str("general.alignment").u32(kTypeU64).u64(uint64_t{1} << 40);
    expect_bad(wide.bytes, "has type u64, expected u32");
    RawGguf one;
    one.header(3, 1, 1).kv_u32("general.alignment", 1).tensor("w", {1}, kF32, 0).zeros(4);
    CHECK(gguf::GgufFile::from_memory(one.bytes)->get_tensor("w").nbytes == 4);
}

TEST_CASE("hostile: tensor shapes") {
    expect_bad(one_tensor_file({.dims = std::vector<uint64_t>(99, 1)}), "dimension count 99");
    expect_bad(one_tensor_file({.dims = {}}), "dimension count 0");
    expect_bad(one_tensor_file({.dims = {8, 0}}), "must be positive");
    expect_bad(one_tensor_file({.dims = {8, kU64Max}}), "dimension 1 at byte");
    expect_bad(one_tensor_file({.dims = {8, kU64Max}}), "is -1");
    expect_bad(one_tensor_file({.dims = {uint64_t{1} << 40, uint64_t{1} << 40}}), "overflows");
    expect_bad(one_tensor_file({.dims = {uint64_t{1} << 62}, .type = kF64}), "byte size overflows");
    expect_bad(one_tensor_file({.dims = {33}, .type = kQ4_0}), "block size 32");
}

TEST_CASE("hostile: unknown tensor type ids name the id and the known types") {
    for (const uint32_t id : {4u, 99u, 0xFFFFFFFFu}) {
        const std::string needle = "unknown tensor type id " + std::to_string(id);
        expect_error(one_tensor_file({.type = id}), ErrorKind::unsupported, needle);
        expect_error(one_tensor_file({.type = id}), ErrorKind::unsupported, "Q4_0=2");
    }
}

TEST_CASE("hostile: tensor offsets and data ranges") {
    expect_bad(one_tensor_file({.offset = uint64_t{1} << 40}), "extends past");
    expect_bad(one_tensor_file({.offset = 32}), "extends past");
    expect_bad(one_tensor_file({.offset = kU64Max - 31}), "extends past");
    expect_bad(one_tensor_file({.data_bytes = 31}), "extends past");
    expect_bad(one_tensor_file({.offset = 4, .data_bytes = 64}), "not a multiple of the alignment 32");

    // The data section itself would start past the end of the file.
    RawGguf short_file;
    short_file.header(3, 1, 0).tensor("w", {1}, kF32, 0);
    expect_bad(short_file.bytes, "past the end");

    RawGguf overlap;
    overlap.header(3, 2, 0).tensor("a", {16}, kF32, 0).tensor("b", {8}, kF32, 32).pad_to(32).zeros(96);
    expect_bad(overlap.bytes, "overlap");
    RawGguf same_offset;
    same_offset.header(3, 2, 0).tensor("a", {8}, kF32, 0).tensor("b", {8}, kF32, 0).pad_to(32).zeros(64);
    expect_bad(same_offset.bytes, "overlap");
    RawGguf duplicate;
    duplicate.header(3, 2, 0).tensor("a", {8}, kF32, 0).tensor("a", {8}, kF32, 32).pad_to(32).zeros(64);
    expect_bad(duplicate.bytes, "duplicate tensor name 'a'");
    RawGguf unnamed;
    unnamed.header(3, 1, 0).tensor("", {8}, kF32, 0).pad_to(32).zeros(32);
    expect_bad(unnamed.bytes, "empty tensor name");
    // Adjacent tensors (and ones stored out of order) are fine.
    RawGguf adjacent;
    adjacent.header(3, 2, 0).tensor("a", {8}, kF32, 32).tensor("b", {8}, kF32, 0).pad_to(32).zeros(64);
    CHECK(gguf::GgufFile::from_memory(adjacent.bytes)->tensors().size() == 2);
}
