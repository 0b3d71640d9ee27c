// Writer -> reader round trips of every metadata value type, and the typed lookups.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "core/error.h"
#include "core/gguf/gguf_file.h"
#include "core/gguf/gguf_writer.h"

using namespace hearth;
using namespace hearth::gguf;

namespace {

template <class T>
using limits = std::numeric_limits<T>;

GgufWriter writer_with_every_type() {
    GgufWriter w;
    w.set_u8("t.u8", 255);
    w.set_i8("t.i8", -128);
    w.set_u16("t.u16", 65535);
    w.set_i16("t.i16", -32768);
    w.set_u32("t.u32", limits<uint32_t>::max());
    w.set_i32("t.i32", limits<int32_t>::min());
    w.set_u64("t.u64", limits<uint64_t>::max());
    w.set_i64("t.i64", limits<int64_t>::min());
    w.set_f32("t.f32", 1.5f);
    w.set_f64("t.f64", 3.141592653589793);
    w.set_bool("t.true", true);
    w.set_bool("t.false", false);
    w.set("t.string", "llama");
    w.set_string("t.empty", "");
    w.set_string("t.nul", std::string_view("a\0b", 3));
    w.set_array_u8("a.u8", std::vector<uint8_t>{0, 200, 255});
    w.set_array_i8("a.i8", std::vector<int8_t>{-128, 0, 127});
    w.set_array_u16("a.u16", std::vector<uint16_t>{1, 65535});
    w.set_array_i16("a.i16", std::vector<int16_t>{-32768, 32767});
    w.set_array_u32("a.u32", std::vector<uint32_t>{0, limits<uint32_t>::max()});
    w.set_array_i32("a.i32", std::vector<int32_t>{limits<int32_t>::min(), 5});
    w.set_array_u64("a.u64", std::vector<uint64_t>{0, uint64_t{1} << 62});
    w.set_array_i64("a.i64", std::vector<int64_t>{limits<int64_t>::min(), limits<int64_t>::max()});
    w.set_array_f32("a.f32", std::vector<float>{0.25f, -2.f});
    w.set_array_f64("a.f64", std::vector<double>{1e300, -1e-300});
    const bool flags[] = {true, false, true};
    w.set_array_bool("a.bool", flags);
    w.set_array_strings("a.strings", {"one", "", "three"});
    w.set_array_i32("a.empty", std::vector<int32_t>{});
    return w;
}

}  // namespace

TEST_CASE("every scalar value type round-trips with its type and value") {
    const auto bytes = writer_with_every_type().to_bytes();
    const auto file = GgufFile::from_memory(bytes);
    CHECK(file->version() == 3);
    CHECK(file->alignment() == 32);
    CHECK(file->path().empty());
    CHECK(file->file_size() == bytes.size());
    CHECK(file->metadata().size() == 28);
    CHECK(file->tensors().empty());

    CHECK(file->find("t.u8")->type == ValueType::u8);
    CHECK(file->get_int("t.u8") == 255);
    CHECK(file->find("t.i8")->type == ValueType::i8);
    CHECK(file->get_int("t.i8") == -128);
    CHECK(file->get_int("t.u16") == 65535);
    CHECK(file->get_int("t.i16") == -32768);
    CHECK(file->get_int("t.u32") == limits<uint32_t>::max());
    CHECK(file->get_int("t.i32") == limits<int32_t>::min());
    CHECK(std::get<uint64_t>(file->find("t.u64")->data) == limits<uint64_t>::max());
    CHECK(file->get_int("t.i64") == limits<int64_t>::min());
    CHECK(file->find("t.f32")->type == ValueType::f32);
    CHECK(file->get_float("t.f32") == 1.5);
    CHECK(file->get_float("t.f64") == 3.141592653589793);
    CHECK(file->get_bool("t.true") == true);
    CHECK(file->get_bool("t.false") == false);
    CHECK(file->get_string("t.string") == "llama");
    CHECK(file->get_string("t.empty").empty());
    CHECK(file->get_string("t.nul") == std::string_view("a\0b", 3));
}

TEST_CASE("every array element type round-trips") {
    const auto bytes = writer_with_every_type().to_bytes();
    const auto file = GgufFile::from_memory(bytes);
    CHECK(file->get_array("a.u8").ints == std::vector<int64_t>{0, 200, 255});
    CHECK(file->get_array("a.u8").elem_type == ValueType::u8);
    CHECK(file->get_array("a.i8").ints == std::vector<int64_t>{-128, 0, 127});
    CHECK(file->get_array("a.u16").ints == std::vector<int64_t>{1, 65535});
    CHECK(file->get_array("a.i16").ints == std::vector<int64_t>{-32768, 32767});
    CHECK(file->get_array("a.u32").ints == std::vector<int64_t>{0, limits<uint32_t>::max()});
    CHECK(file->get_array("a.i32").ints == std::vector<int64_t>{limits<int32_t>::min(), 5});
    CHECK(file->get_array("a.u64").ints == std::vector<int64_t>{0, int64_t{1} << 62});
    CHECK(file->get_array("a.i64").ints == std::vector<int64_t>{limits<int64_t>::min(), limits<int64_t>::max()});
    CHECK(file->get_array("a.f32").floats == std::vector<double>{0.25, -2.0});
    CHECK(file->get_array("a.f64").floats == std::vector<double>{1e300, -1e-300});
    CHECK(file->get_array("a.bool").elem_type == ValueType::boolean);
    CHECK(file->get_array("a.bool").ints == std::vector<int64_t>{1, 0, 1});
    const Array& strings = file->get_array("a.strings");
    REQUIRE(strings.size() == 3);
    CHECK(strings.strings[0] == "one");
    CHECK(strings.strings[1].empty());
    CHECK(strings.strings[2] == "three");
    CHECK(file->get_array("a.empty").size() == 0);
    CHECK(file->get_array("a.empty").elem_type == ValueType::i32);
}

TEST_CASE("typed lookups convert compatible values and reject the rest") {
    const auto bytes = writer_with_every_type().to_bytes();
    const auto file = GgufFile::from_memory(bytes);
    CHECK(file->find_float("t.u32") == static_cast<double>(limits<uint32_t>::max()));
    CHECK(file->find_float("t.i8") == -128.0);
    CHECK_FALSE(file->find_string("absent").has_value());
    CHECK_FALSE(file->find_int("absent").has_value());
    CHECK_FALSE(file->find_float("absent").has_value());
    CHECK_FALSE(file->find_bool("absent").has_value());
    CHECK(file->find_array("absent") == nullptr);
    CHECK(file->find("absent") == nullptr);
    CHECK_FALSE(file->has("absent"));
    CHECK(file->has("t.u8"));

    // u64 max does not fit int64; strings, floats and bools are not integers.
    CHECK_THROWS_AS(file->find_int("t.u64"), Error);
    CHECK_THROWS_AS(file->find_int("t.string"), Error);
    CHECK_THROWS_AS(file->find_int("t.f32"), Error);
    CHECK_THROWS_AS(file->find_int("t.true"), Error);
    CHECK_THROWS_AS(file->find_string("t.u8"), Error);
    CHECK_THROWS_AS(file->find_float("t.string"), Error);
    CHECK_THROWS_AS(file->find_bool("t.u8"), Error);
    CHECK_THROWS_AS(file->find_array("t.string"), Error);
    try {
        file->get_int("missing.key");
        FAIL("get_int of an absent key must throw");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::bad_file);
        CHECK(std::string(e.what()).find("missing.key") != std::string::npos);
    }
    try {
        file->find_string("t.u32");
        FAIL("find_string of a u32 must throw");
    } catch (const Error& e) {
        CHECK(std::string(e.what()).find("t.u32") != std::string::npos);
        CHECK(std::string(e.what()).find("u32") != std::string::npos);
    }
    CHECK_THROWS_AS(file->get_string("missing"), Error);
    CHECK_THROWS_AS(file->get_float("missing"), Error);
    CHECK_THROWS_AS(file->get_bool("missing"), Error);
    CHECK_THROWS_AS(file->get_array("missing"), Error);
}

TEST_CASE("set_value copies every value read back into an identical file") {
    const auto bytes = writer_with_every_type().to_bytes();
    const auto original = GgufFile::from_memory(bytes);
    GgufWriter copy;
    for (const auto& [key, value] : original->metadata()) copy.set_value(key, value);
    const auto copied_bytes = copy.to_bytes();
    const auto copied = GgufFile::from_memory(copied_bytes);
    CHECK(copied->metadata() == original->metadata());
}

TEST_CASE("set_value rejects values that do not fit their declared type") {
    GgufWriter w;
    CHECK_THROWS_AS(w.set_value("k", Value{ValueType::u8, uint64_t{256}}), Error);
    CHECK_THROWS_AS(w.set_value("k", Value{ValueType::i8, int64_t{-129}}), Error);
    CHECK_THROWS_AS(w.set_value("k", Value{ValueType::u32, int64_t{-1}}), Error);
    CHECK_THROWS_AS(w.set_value("k", Value{ValueType::string, uint64_t{1}}), Error);
    Array nested;
    nested.elem_type = ValueType::array;
    CHECK_THROWS_AS(w.set_value("k", Value{ValueType::array, nested}), Error);
    Array bad_bools;
    bad_bools.elem_type = ValueType::boolean;
    bad_bools.ints = {0, 2};
    CHECK_THROWS_AS(w.set_value("k", Value{ValueType::array, bad_bools}), Error);
    CHECK_FALSE(w.has("k"));
    w.set_value("k", Value{ValueType::u16, int64_t{65535}});
    const auto bytes = w.to_bytes();
    CHECK(GgufFile::from_memory(bytes)->get_int("k") == 65535);
}

TEST_CASE("setting a key again replaces it in place; erase removes it") {
    GgufWriter w;
    w.set_u32("first", 1);
    w.set_u32("second", 2);
    w.set("first", "now a string");
    w.set_u32("third", 3);
    w.erase("third");
    CHECK(w.has("first"));
    CHECK_FALSE(w.has("third"));
    const auto bytes = w.to_bytes();
    const auto file = GgufFile::from_memory(bytes);
    CHECK(file->metadata().size() == 2);
    CHECK(file->get_string("first") == "now a string");
    // The first entry written is still "first": its key follows the 24-byte header.
    CHECK(std::string_view(reinterpret_cast<const char*>(bytes.data()) + 32, 5) == "first");
}
