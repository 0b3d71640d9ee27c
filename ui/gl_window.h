#pragma once
// The GLFW window with its OpenGL 3.3 core context, and the Dear ImGui context drawing into it.
// A frame is: poll events, begin_frame() (platform input read), [inject test input],
// ImGui::NewFrame(), widgets, render(), [read_pixels()], swap().
#include <string>

#include "ui/png_writer.h"

struct GLFWwindow;

namespace hearth::ui {

struct WindowOptions {
    int width = 1280;
    int height = 800;
    std::string title = "Hearth";
};

class GlWindow {
public:
    // Throws Error(unsupported) naming what is missing: no display, or no OpenGL 3.3.
    explicit GlWindow(const WindowOptions& options);
    ~GlWindow();
    GlWindow(const GlWindow&) = delete;
    GlWindow& operator=(const GlWindow&) = delete;

    bool should_close() const;
    // Waits for input at most this long (0: just takes what is queued).
    void wait_events(double timeout_seconds);

    // The monitor's HiDPI scale for this window (1 on a plain 96-dpi screen).
    float content_scale() const;
    // Call after (re)loading fonts into the atlas, so the texture is rebuilt.
    void refresh_font_texture();

    void begin_frame();
    void render();
    void swap();
    // The window's pixels as rendered by render(), top row first.
    RgbaImage read_pixels() const;

private:
    GLFWwindow* window_ = nullptr;
    bool device_objects_ = false;  // the renderer's shaders and font texture exist
};

}  // namespace hearth::ui
