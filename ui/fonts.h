#pragma once
// The fonts of the window: DejaVu Sans for text with Noto Sans CJK merged in (a limited glyph
// range, about 2,500 common ideographs plus kana, to keep the atlas small), and DejaVu Sans
// Mono for code blocks. Missing font files fall back to ImGui's built-in font and are listed.
#include <string>
#include <vector>

#include <imgui.h>

namespace hearth::ui {

class UiFonts {
public:
    // Loads the fonts into ImGui's atlas at this HiDPI scale, replacing what was there.
    // The caller then rebuilds the texture (GlWindow::refresh_font_texture).
    void load(float scale);

    ImFont* body() const { return body_; }
    ImFont* mono() const { return mono_; }
    float scale() const { return scale_; }
    // Font files that were not found (the app says so in its status line).
    const std::vector<std::string>& missing() const { return missing_; }

private:
    ImFont* add_font(const char* path, float size, const ImWchar* ranges);
    void merge_cjk(float size);

    ImFont* body_ = nullptr;
    ImFont* mono_ = nullptr;
    float scale_ = 1.0f;
    std::vector<std::string> missing_;
};

}  // namespace hearth::ui
