#include "ui/widgets.h"

namespace hearth::ui {

void record_item(UiTargets& targets, const std::string& name) {
    const ImVec2 min = ImGui::GetItemRectMin();
    const ImVec2 max = ImGui::GetItemRectMax();
    targets.set(name, TargetRect{min.x, min.y, max.x, max.y});
}

void hover_tooltip(const char* text) {
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s", text);
}

void labeled_value(const char* label, const std::string& value) {
    ImGui::TextDisabled("%s", label);
    ImGui::SameLine();
    ImGui::TextUnformatted(value.c_str());
}

}  // namespace hearth::ui
