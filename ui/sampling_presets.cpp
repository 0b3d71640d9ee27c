#include "ui/sampling_presets.h"

#include <array>

namespace hearth::ui {
namespace {

SamplingParams make_params(float temperature, int32_t top_k, float top_p, float min_p, float repeat_penalty) {
    SamplingParams p;
    p.temperature = temperature;
    p.top_k = top_k;
    p.top_p = top_p;
    p.min_p = min_p;
    p.repeat_penalty = repeat_penalty;
    return p;
}

const std::array<SamplingPreset, 3>& preset_table() {
    static const std::array<SamplingPreset, 3> presets{{
        {"Precise", "greedy: always the most likely token (repeatable)", make_params(0.0f, 40, 0.95f, 0.05f, 1.0f)},
        {"Balanced", "temperature 0.7, top-p 0.9, light repeat penalty", make_params(0.7f, 40, 0.9f, 0.05f, 1.1f)},
        {"Creative", "temperature 1.0, top-p 0.95, no top-k", make_params(1.0f, 0, 0.95f, 0.05f, 1.0f)},
    }};
    return presets;
}

}  // namespace

std::span<const SamplingPreset> sampling_presets() { return preset_table(); }

std::optional<SamplingPreset> find_sampling_preset(std::string_view name) {
    for (const auto& preset : preset_table())
        if (preset.name == name) return preset;
    return std::nullopt;
}

}  // namespace hearth::ui
