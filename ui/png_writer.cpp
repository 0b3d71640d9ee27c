#include "ui/png_writer.h"

#include <zlib.h>

#include <array>
#include <fstream>
#include <string>

#include "core/error.h"

namespace hearth::ui {
namespace {

constexpr std::array<uint8_t, 8> kSignature{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
constexpr uint8_t kColorTypeRgba = 6;
constexpr uint8_t kFilterNone = 0;

void put_u32(std::vector<uint8_t>& out, uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(value >> shift));
}

// A chunk: length, type, data, and the CRC-32 of type and data.
void put_chunk(std::vector<uint8_t>& out, const char (&type)[5], std::span<const uint8_t> data) {
    put_u32(out, static_cast<uint32_t>(data.size()));
    const size_t type_at = out.size();
    out.insert(out.end(), type, type + 4);
    out.insert(out.end(), data.begin(), data.end());
    const auto* crc_begin = out.data() + type_at;
    put_u32(out, static_cast<uint32_t>(crc32(0L, crc_begin, static_cast<uInt>(4 + data.size()))));
}

std::vector<uint8_t> header(const RgbaImage& image) {
    std::vector<uint8_t> ihdr;
    put_u32(ihdr, static_cast<uint32_t>(image.width));
    put_u32(ihdr, static_cast<uint32_t>(image.height));
    ihdr.insert(ihdr.end(), {8, kColorTypeRgba, 0, 0, 0});  // depth, color type, deflate, filter, no interlace
    return ihdr;
}

// Each row starts with its filter byte; "none" keeps the encoder simple, zlib does the rest.
std::vector<uint8_t> compressed_rows(const RgbaImage& image) {
    const size_t row_bytes = static_cast<size_t>(image.width) * 4;
    std::vector<uint8_t> raw;
    raw.reserve((row_bytes + 1) * static_cast<size_t>(image.height));
    for (int y = 0; y < image.height; ++y) {
        raw.push_back(kFilterNone);
        const auto* row = image.pixels.data() + row_bytes * static_cast<size_t>(y);
        raw.insert(raw.end(), row, row + row_bytes);
    }
    uLongf size = compressBound(static_cast<uLong>(raw.size()));
    std::vector<uint8_t> packed(size);
    const int status = compress2(packed.data(), &size, raw.data(), static_cast<uLong>(raw.size()), Z_BEST_SPEED);
    require(status == Z_OK, ErrorKind::internal, "zlib could not compress the image (status " + std::to_string(status) + ")");
    packed.resize(size);
    return packed;
}

}  // namespace

std::vector<uint8_t> encode_png(const RgbaImage& image) {
    require(image.width > 0 && image.height > 0, ErrorKind::bad_request, "a PNG needs a positive width and height");
    require(image.pixels.size() == static_cast<size_t>(image.width) * static_cast<size_t>(image.height) * 4,
            ErrorKind::bad_request,
            "the image has " + std::to_string(image.pixels.size()) + " bytes, not 4 per pixel of " +
                std::to_string(image.width) + "x" + std::to_string(image.height));
    std::vector<uint8_t> out(kSignature.begin(), kSignature.end());
    put_chunk(out, "IHDR", header(image));
    put_chunk(out, "IDAT", compressed_rows(image));
    put_chunk(out, "IEND", {});
    return out;
}

void write_png(const std::filesystem::path& path, const RgbaImage& image) {
    const std::vector<uint8_t> bytes = encode_png(image);
    std::error_code ec;
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    file.close();
    require(file.good(), ErrorKind::io, path.string() + ": could not write the screenshot");
}

}  // namespace hearth::ui
