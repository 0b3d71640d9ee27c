#include <doctest/doctest.h>
#include <zlib.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <unistd.h>

#include "core/error.h"
#include "ui/png_writer.h"

using namespace hearth;
using namespace hearth::ui;

namespace {

uint32_t read_u32(const std::vector<uint8_t>& bytes, size_t at) {
    return (uint32_t(bytes[at]) << 24) | (uint32_t(bytes[at + 1]) << 16) | (uint32_t(bytes[at + 2]) << 8) | bytes[at + 3];
}

struct Chunk {
    std::string type;
    std::vector<uint8_t> data;
};

// Walks the chunks, checking each one's CRC on the way.
std::vector<Chunk> read_chunks(const std::vector<uint8_t>& png) {
    std::vector<Chunk> chunks;
    size_t at = 8;
    while (at + 12 <= png.size()) {
        const uint32_t length = read_u32(png, at);
        REQUIRE(at + 12 + length <= png.size());
        const uint8_t* type_and_data = png.data() + at + 4;
        CHECK(read_u32(png, at + 8 + length) == crc32(0L, type_and_data, 4 + length));
        chunks.push_back({std::string(reinterpret_cast<const char*>(type_and_data), 4),
                          std::vector<uint8_t>(type_and_data + 4, type_and_data + 4 + length)});
        at += 12 + length;
    }
    CHECK(at == png.size());
    return chunks;
}

RgbaImage gradient(int width, int height) {
    RgbaImage image{width, height, {}};
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            image.pixels.insert(image.pixels.end(), {uint8_t(x * 7), uint8_t(y * 13), uint8_t(x ^ y), 255});
    return image;
}

}  // namespace

TEST_CASE("the PNG has a valid structure and its pixels inflate back unchanged") {
    const RgbaImage image = gradient(37, 11);
    const std::vector<uint8_t> png = encode_png(image);
    const uint8_t signature[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    REQUIRE(png.size() > 8);
    CHECK(std::memcmp(png.data(), signature, 8) == 0);
    const auto chunks = read_chunks(png);
    REQUIRE(chunks.size() == 3);
    CHECK(chunks[0].type == "IHDR");
    CHECK(read_u32(chunks[0].data, 0) == 37);
    CHECK(read_u32(chunks[0].data, 4) == 11);
    CHECK(chunks[0].data[8] == 8);  // bit depth
    CHECK(chunks[0].data[9] == 6);  // RGBA
    CHECK(chunks[1].type == "IDAT");
    CHECK(chunks[2].type == "IEND");

    std::vector<uint8_t> raw((37 * 4 + 1) * 11);
    uLongf raw_size = raw.size();
    REQUIRE(uncompress(raw.data(), &raw_size, chunks[1].data.data(), chunks[1].data.size()) == Z_OK);
    REQUIRE(raw_size == raw.size());
    for (int y = 0; y < 11; ++y) {
        const uint8_t* row = raw.data() + y * (37 * 4 + 1);
        CHECK(row[0] == 0);  // filter: none
        CHECK(std::memcmp(row + 1, image.pixels.data() + y * 37 * 4, 37 * 4) == 0);
    }
}

TEST_CASE("a wrong pixel count or size is refused") {
    RgbaImage image = gradient(4, 4);
    image.pixels.pop_back();
    CHECK_THROWS_AS(encode_png(image), Error);
    CHECK_THROWS_AS(encode_png(RgbaImage{0, 3, {}}), Error);
}

TEST_CASE("write_png creates the folder and writes the bytes") {
    const auto dir = std::filesystem::temp_directory_path() / ("hearth-ui-png-" + std::to_string(getpid()));
    const auto path = dir / "sub" / "shot.png";
    const RgbaImage image = gradient(5, 3);
    write_png(path, image);
    std::ifstream file(path, std::ios::binary);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    CHECK(bytes == encode_png(image));
    std::filesystem::remove_all(dir);
    CHECK_THROWS_AS(write_png("/proc/hearth-no-such-dir/x.png", image), Error);
}
