#include "ui/sampling_panel.h"

#include <imgui.h>
#include <algorithm>
#include <imgui_stdlib.h>

#include "ui/sampling_presets.h"
#include "ui/widgets.h"

namespace hearth::ui {
namespace {

void draw_preset_combo(GenerationSettings& generation) {
    if (!ImGui::BeginCombo("preset", generation.preset.c_str())) return;
    for (const SamplingPreset& preset : sampling_presets()) {
        if (ImGui::Selectable(std::string(preset.name).c_str(), generation.preset == preset.name)) {
            generation.preset = std::string(preset.name);
            generation.sampling = preset.params;
        }
        hover_tooltip(std::string(preset.description).c_str());
    }
    ImGui::Selectable(std::string(kCustomPreset).c_str(), generation.preset == kCustomPreset);
    ImGui::EndCombo();
}

// Each value edited by hand makes the preset "Custom".
void draw_values(GenerationSettings& generation) {
    SamplingParams& s = generation.sampling;
    bool edited = false;
    edited |= ImGui::SliderFloat("temperature", &s.temperature, 0.0f, 2.0f, "%.2f");
    hover_tooltip("0: greedy, the same answer every time");
    edited |= ImGui::SliderFloat("top-p", &s.top_p, 0.0f, 1.0f, "%.2f");
    edited |= ImGui::SliderInt("top-k", &s.top_k, 0, 200, s.top_k == 0 ? "off" : "%d");
    edited |= ImGui::SliderFloat("min-p", &s.min_p, 0.0f, 1.0f, "%.2f");
    edited |= ImGui::SliderFloat("repeat penalty", &s.repeat_penalty, 1.0f, 2.0f, "%.2f");
    bool random_seed = s.seed == kRandomSeed;
    if (ImGui::Checkbox("random seed", &random_seed)) {
        s.seed = random_seed ? kRandomSeed : 0;
        edited = true;
    }
    if (!random_seed) {
        int seed = static_cast<int>(s.seed & 0x7fffffff);
        ImGui::SameLine();
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6.0f);
        if (ImGui::InputInt("##seed", &seed)) {
            s.seed = static_cast<uint64_t>(seed < 0 ? 0 : seed);
            edited = true;
        }
    }
    if (edited) generation.preset = std::string(kCustomPreset);
}

}  // namespace

void draw_sampling_panel(AppSettings& settings) {
    GenerationSettings& generation = settings.generation;
    const float width = ImGui::GetFontSize() * 10.0f;
    ImGui::PushItemWidth(width);
    draw_preset_combo(generation);
    draw_values(generation);
    if (ImGui::InputInt("max tokens", &generation.max_tokens, 64, 256)) generation.max_tokens = std::clamp(generation.max_tokens, 1, 32768);
    ImGui::PopItemWidth();
    ImGui::TextDisabled("system prompt for new chats");
    ImGui::InputTextMultiline("##default_system", &settings.system_prompt, ImVec2(-1.0f, ImGui::GetTextLineHeight() * 3.0f));
}

}  // namespace hearth::ui
