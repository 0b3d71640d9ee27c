// hearth-desktop: a chat window over the Hearth engine (Dear ImGui, GLFW, OpenGL 3.3).
#include <cstdio>
#include <exception>
#include <span>

#include "core/error.h"
#include "ui/desktop_app.h"

int main(int argc, char** argv) {
    try {
        const auto options = hearth::ui::parse_desktop_options(std::span<const char* const>(argv + 1, static_cast<size_t>(argc - 1)));
        if (options.help) {
            std::fputs(hearth::ui::desktop_usage(), stdout);
            return 0;
        }
        hearth::ui::DesktopApp app(options);
        return app.run();
    } catch (const hearth::Error& e) {
        std::fprintf(stderr, "hearth-desktop: %s\n", e.what());
        return e.kind() == hearth::ErrorKind::bad_request ? 2 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "hearth-desktop: %s\n", e.what());
        return 1;
    }
}
