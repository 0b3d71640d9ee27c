#include "ui/backend_panel.h"

#include <imgui.h>

#include "ui/widgets.h"

namespace hearth::ui {
namespace {

struct BackendChoice {
    const char* name;
    const char* why_not;  // null when available
};

// The CPU backend is the one the engine's loader creates; the others are named so nobody has
// to wonder whether a GPU is being used.
constexpr BackendChoice kBackends[] = {
    {"CPU", nullptr},
    {"Vulkan", "not available in this build: the model loader creates only the CPU backend"},
    {"CUDA", "not available in this build: the model loader creates only the CPU backend"},
};

void draw_chooser(const ModelRuntime* runtime) {
    if (ImGui::BeginCombo("backend", "CPU")) {
        for (const BackendChoice& choice : kBackends) {
            ImGui::BeginDisabled(choice.why_not != nullptr);
            ImGui::Selectable(choice.name, choice.why_not == nullptr);
            ImGui::EndDisabled();
            if (choice.why_not) hover_tooltip(choice.why_not);
        }
        ImGui::EndCombo();
    }
    if (!runtime) {
        ImGui::TextDisabled("in use: nothing yet (no model loaded)");
        return;
    }
    labeled_value("in use", runtime->backend_name);
    ImGui::TextDisabled("device");
    ImGui::SameLine();
    ImGui::TextWrapped("%s", runtime->device_description.c_str());
    labeled_value("threads", std::to_string(runtime->n_threads));
    ImGui::TextDisabled("GPU backends: not available in this build");
}

}  // namespace

BackendPanelRequests draw_backend_panel(const BackendPanelContext& context) {
    BackendPanelRequests requests;
    draw_chooser(context.runtime);
    int threads = context.threads_setting;
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8.0f);
    if (ImGui::SliderInt("threads", &threads, 0, 64, threads == 0 ? "auto" : "%d")) requests.threads = threads;
    hover_tooltip(("0 = automatic (" + std::to_string(context.automatic_threads) +
                   " here: all cores but one, so the window stays responsive); applies when a model loads")
                      .c_str());
    ImGui::SameLine();
    ImGui::BeginDisabled(context.runtime == nullptr);
    if (ImGui::SmallButton("Reload")) requests.reload = true;
    ImGui::EndDisabled();
    char display[64];
    std::snprintf(display, sizeof(display), "%.2fx", context.display_scale);
    labeled_value("display scale", display);
    if (!context.missing_fonts.empty()) {
        std::string missing;
        for (const auto& font : context.missing_fonts) missing += (missing.empty() ? "" : ", ") + font;
        ImGui::TextWrapped("fonts not found (built-in font used): %s", missing.c_str());
    }
    return requests;
}

}  // namespace hearth::ui
