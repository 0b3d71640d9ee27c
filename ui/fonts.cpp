#include "ui/fonts.h"

#include <filesystem>

namespace hearth::ui {
namespace {

constexpr float kBodyPixels = 16.0f;
constexpr float kMonoPixels = 15.0f;
constexpr const char* kBodyFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
constexpr const char* kMonoFont = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf";
constexpr const char* kCjkFont = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

// Latin, Greek, Cyrillic, punctuation, arrows, maths, boxes and the monochrome symbol blocks
// (the emoji DejaVu has). Static storage: the atlas keeps pointing at it.
constexpr ImWchar kTextRanges[] = {
    0x0020, 0x024F, 0x0370, 0x03FF, 0x0400, 0x04FF, 0x2000, 0x206F, 0x20A0, 0x20CF, 0x2100, 0x214F,
    0x2190, 0x22FF, 0x2500, 0x25FF, 0x2600, 0x27BF, 0,
};

bool exists(const char* path) {
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec);
}

}  // namespace

ImFont* UiFonts::add_font(const char* path, float size, const ImWchar* ranges) {
    ImGuiIO& io = ImGui::GetIO();
    if (!exists(path)) {
        missing_.emplace_back(path);
        ImFontConfig config;
        config.SizePixels = size;
        return io.Fonts->AddFontDefault(&config);
    }
    ImFontConfig config;
    config.OversampleH = 2;
    return io.Fonts->AddFontFromFileTTF(path, size, &config, ranges);
}

void UiFonts::merge_cjk(float size) {
    if (!exists(kCjkFont)) {
        missing_.emplace_back(kCjkFont);
        return;
    }
    ImFontConfig config;
    config.MergeMode = true;
    config.OversampleH = 1;  // ideographs are dense; sub-pixel copies would triple the atlas
    config.OversampleV = 1;
    config.PixelSnapH = true;
    ImGui::GetIO().Fonts->AddFontFromFileTTF(kCjkFont, size, &config,
                                             ImGui::GetIO().Fonts->GetGlyphRangesChineseSimplifiedCommon());
}

void UiFonts::load(float scale) {
    ImFontAtlas& atlas = *ImGui::GetIO().Fonts;
    atlas.Clear();
    missing_.clear();
    scale_ = scale;
    body_ = add_font(kBodyFont, kBodyPixels * scale, kTextRanges);
    merge_cjk(kBodyPixels * scale);
    mono_ = add_font(kMonoFont, kMonoPixels * scale, kTextRanges);
    atlas.Build();
}

}  // namespace hearth::ui
