#pragma once
// Named sampling presets for the settings panel. Editing any value by hand makes it "Custom".
#include <optional>
#include <span>
#include <string_view>

#include "core/sample/sampling_params.h"

namespace hearth::ui {

struct SamplingPreset {
    std::string_view name;
    std::string_view description;
    SamplingParams params;
};

inline constexpr std::string_view kCustomPreset = "Custom";

std::span<const SamplingPreset> sampling_presets();
// The preset of that name; nothing for "Custom" or an unknown name.
std::optional<SamplingPreset> find_sampling_preset(std::string_view name);

}  // namespace hearth::ui
