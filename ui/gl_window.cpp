#include "ui/gl_window.h"

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <GL/gl.h>
#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>

#include <algorithm>

#include "core/error.h"

namespace hearth::ui {
namespace {

constexpr const char* kGlslVersion = "#version 330 core";

std::string glfw_error() {
    const char* description = nullptr;
    glfwGetError(&description);
    return description ? description : "no details";
}

}  // namespace

GlWindow::GlWindow(const WindowOptions& options) {
    if (!glfwInit()) throw Error(ErrorKind::unsupported, "cannot open a window (is there a display? " + glfw_error() + ")");
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);
    window_ = glfwCreateWindow(options.width, options.height, options.title.c_str(), nullptr, nullptr);
    if (!window_) {
        const std::string why = glfw_error();
        glfwTerminate();
        throw Error(ErrorKind::unsupported, "cannot create an OpenGL 3.3 window: " + why);
    }
    glfwMakeContextCurrent(window_);
    glfwSwapInterval(1);  // vsync where the display has it; the frame loop also paces itself

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // the layout is fixed; nothing to remember in an imgui.ini
    io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
    ImGui::StyleColorsDark();
    ImGui_ImplGlfw_InitForOpenGL(window_, true);
    ImGui_ImplOpenGL3_Init(kGlslVersion);
}

GlWindow::~GlWindow() {
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(window_);
    glfwTerminate();
}

bool GlWindow::should_close() const { return glfwWindowShouldClose(window_) != 0; }

void GlWindow::wait_events(double timeout_seconds) {
    if (timeout_seconds > 0.0) {
        glfwWaitEventsTimeout(timeout_seconds);
    } else {
        glfwPollEvents();
    }
}

float GlWindow::content_scale() const {
    float x = 1.0f;
    float y = 1.0f;
    glfwGetWindowContentScale(window_, &x, &y);
    return std::clamp(std::max(x, y), 0.5f, 4.0f);
}

void GlWindow::refresh_font_texture() {
    if (!device_objects_) {
        ImGui_ImplOpenGL3_CreateDeviceObjects();  // builds the font texture too
        device_objects_ = true;
        return;
    }
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
}

void GlWindow::begin_frame() {
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
}

void GlWindow::render() {
    ImGui::Render();
    int width = 0;
    int height = 0;
    glfwGetFramebufferSize(window_, &width, &height);
    glViewport(0, 0, width, height);
    const ImVec4 background = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
    glClearColor(background.x, background.y, background.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

void GlWindow::swap() { glfwSwapBuffers(window_); }

RgbaImage GlWindow::read_pixels() const {
    RgbaImage image;
    glfwGetFramebufferSize(window_, &image.width, &image.height);
    const size_t row_bytes = static_cast<size_t>(image.width) * 4;
    std::vector<uint8_t> bottom_up(row_bytes * static_cast<size_t>(image.height));
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    glReadPixels(0, 0, image.width, image.height, GL_RGBA, GL_UNSIGNED_BYTE, bottom_up.data());
    image.pixels.resize(bottom_up.size());
    for (int y = 0; y < image.height; ++y)  // OpenGL's first row is the bottom one
        std::copy_n(bottom_up.data() + row_bytes * static_cast<size_t>(image.height - 1 - y), row_bytes,
                    image.pixels.data() + row_bytes * static_cast<size_t>(y));
    for (size_t i = 3; i < image.pixels.size(); i += 4) image.pixels[i] = 255;  // the window is opaque
    return image;
}

}  // namespace hearth::ui
