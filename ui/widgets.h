#pragma once
// Small ImGui helpers shared by the views.
#include <string>

#include <imgui.h>

#include "ui/ui_targets.h"

namespace hearth::ui {

// Remembers the last drawn item's rectangle under `name` (for the test mode's clicks).
void record_item(UiTargets& targets, const std::string& name);

// A tooltip for the last item while it is hovered (also when it is disabled).
void hover_tooltip(const char* text);

// "label: value" with the label dimmed.
void labeled_value(const char* label, const std::string& value);

}  // namespace hearth::ui
