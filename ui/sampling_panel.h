#pragma once
// Sampling presets and their values, the answer length limit, and the system prompt that new
// conversations start with. Changes go straight into the settings (saved by the app).
#include "ui/app_settings.h"

namespace hearth::ui {

void draw_sampling_panel(AppSettings& settings);

}  // namespace hearth::ui
