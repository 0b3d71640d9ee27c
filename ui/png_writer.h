#pragma once
// A small PNG encoder for screenshots: 8-bit RGBA, one IDAT chunk compressed with zlib.
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace hearth::ui {

struct RgbaImage {
    int width = 0;
    int height = 0;
    std::vector<uint8_t> pixels;  // rows top to bottom, 4 bytes per pixel
};

// The PNG file bytes. Throws Error(bad_request) when the pixel count does not match the size.
std::vector<uint8_t> encode_png(const RgbaImage& image);
// Writes encode_png(image) to path, creating its folder; Error(io) when that fails.
void write_png(const std::filesystem::path& path, const RgbaImage& image);

}  // namespace hearth::ui
