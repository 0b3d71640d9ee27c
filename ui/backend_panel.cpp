#include "ui/backend_panel.h"

#include <imgui.h>

#include <algorithm>

#include "core/engine/loaded_model.h"

#include "ui/widgets.h"

namespace hearth::ui {
namespace {

bool built(BackendKind kind) {
    const std::vector<BackendKind> kinds = built_backends();
    return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

std::optional<std::string> draw_chooser(const ModelRuntime* runtime, const std::string& setting) {
    std::optional<std::string> chosen;
    if (ImGui::BeginCombo("backend", setting.c_str())) {
        for (const BackendKind kind : {BackendKind::cpu, BackendKind::vulkan}) {
            const bool available = built(kind);
            ImGui::BeginDisabled(!available);
            if (ImGui::Selectable(to_string(kind), setting == to_string(kind))) chosen = to_string(kind);
            ImGui::EndDisabled();
            if (!available) hover_tooltip("not available in this build (Vulkan needs libvulkan-dev and glslc at build time)");
        }
        ImGui::BeginDisabled(true);
        ImGui::Selectable("cuda");
        ImGui::EndDisabled();
        hover_tooltip("not available: Hearth has no CUDA backend yet");
        ImGui::EndCombo();
    }
    hover_tooltip("applies when a model loads (press Reload); a backend that cannot run says why");
    if (!runtime) {
        ImGui::TextDisabled("in use: nothing yet (no model loaded)");
        return chosen;
    }
    labeled_value("in use", runtime->backend_name);
    ImGui::TextDisabled("device");
    ImGui::SameLine();
    ImGui::TextWrapped("%s", runtime->device_description.c_str());
    if (runtime->backend_name == "cpu") labeled_value("threads", std::to_string(runtime->n_threads));
    return chosen;
}

}  // namespace

BackendPanelRequests draw_backend_panel(const BackendPanelContext& context) {
    BackendPanelRequests requests;
    requests.backend = draw_chooser(context.runtime, context.backend_setting);
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
