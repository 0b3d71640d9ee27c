#include "ui/model_panel.h"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <chrono>

#include "ui/widgets.h"

namespace hearth::ui {
namespace {

std::string context_text(int64_t n) { return n > 0 ? std::to_string(n) : std::string("?"); }

void poll_scan(ModelPanelState& state) {
    if (state.scan_wanted && !state.scanning.valid()) {
        state.scan_wanted = false;
        state.scanning = std::async(std::launch::async, scan_model_folder, state.folder);
    }
    if (state.scanning.valid() && state.scanning.wait_for(std::chrono::seconds(0)) == std::future_status::ready)
        state.entries = state.scanning.get();
}

void draw_loaded(const ModelRuntime* runtime) {
    if (!runtime) {
        ImGui::TextDisabled("No model loaded.");
        return;
    }
    const ModelInfo& info = runtime->info;
    ImGui::TextWrapped("%s", info.name.c_str());
    labeled_value("file", info.path.filename().string());
    labeled_value("size", format_bytes(info.file_bytes) + (info.size_label.empty() ? "" : ", " + info.size_label + " parameters"));
    labeled_value("architecture", info.architecture);
    labeled_value("quant type", info.quant_type);
    labeled_value("trained context", context_text(info.context_length) + " tokens");
    labeled_value("serving context", std::to_string(runtime->engine->scheduler_options().n_ctx) + " tokens");
    labeled_value("chat template", runtime->model->chat_template_origin());
}

void draw_progress(const LoadProgress& progress) {
    if (progress.stage == LoadStage::idle || progress.stage == LoadStage::done) return;
    if (progress.stage == LoadStage::failed) {
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.45f, 0.40f, 1.0f));
        ImGui::TextWrapped("Loading failed: %s", progress.error.c_str());
        ImGui::PopStyleColor();
        return;
    }
    ImGui::TextWrapped("Loading %s", std::filesystem::path(progress.path).filename().c_str());
    char overlay[96];
    std::snprintf(overlay, sizeof(overlay), "%s %.0f%% (%.1f s)", to_string(progress.stage), progress.fraction * 100.0,
                  progress.seconds);
    const float fraction = progress.stage == LoadStage::reading ? static_cast<float>(progress.fraction) : 1.0f;
    ImGui::ProgressBar(fraction, ImVec2(-1.0f, 0.0f), overlay);
}

void draw_folder_table(ModelPanelState& state, const ModelPanelContext& context, std::optional<std::string>& pick) {
    constexpr ImGuiTableFlags kFlags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingStretchProp;
    if (!ImGui::BeginTable("models", 5, kFlags)) return;
    ImGui::TableSetupColumn("file", ImGuiTableColumnFlags_WidthStretch, 3.0f);
    ImGui::TableSetupColumn("arch", ImGuiTableColumnFlags_WidthStretch, 1.2f);
    ImGui::TableSetupColumn("size", ImGuiTableColumnFlags_WidthStretch, 1.3f);
    ImGui::TableSetupColumn("quant", ImGuiTableColumnFlags_WidthStretch, 1.0f);
    ImGui::TableSetupColumn("ctx", ImGuiTableColumnFlags_WidthStretch, 1.0f);
    ImGui::TableHeadersRow();
    for (const ModelFolderEntry& entry : state.entries) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        const std::string file = entry.path.filename().string();
        const bool loaded = context.runtime && context.runtime->info.path == entry.path;
        if (ImGui::Selectable(file.c_str(), loaded, ImGuiSelectableFlags_SpanAllColumns) && entry.info && !context.locked)
            pick = entry.path.string();
        if (entry.info) {
            hover_tooltip((entry.info->name + " · click to load").c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(entry.info->architecture.c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(format_bytes(entry.info->file_bytes).c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(entry.info->quant_type.c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(context_text(entry.info->context_length).c_str());
        } else {
            hover_tooltip(entry.error.c_str());
            ImGui::TableNextColumn();
            ImGui::TextDisabled("unreadable");
        }
    }
    ImGui::EndTable();
}

}  // namespace

std::optional<std::string> draw_model_panel(ModelPanelState& state, const ModelPanelContext& context) {
    std::optional<std::string> pick;
    poll_scan(state);
    draw_loaded(context.runtime);
    draw_progress(context.progress);
    ImGui::Spacing();
    ImGui::TextDisabled("Model folder: %s", state.folder.c_str());
    if (ImGui::SmallButton("Rescan")) state.scan_wanted = true;
    if (state.scanning.valid()) {
        ImGui::SameLine();
        ImGui::TextDisabled("reading...");
    }
    if (state.entries.empty() && !state.scanning.valid()) ImGui::TextDisabled("No .gguf files there.");
    draw_folder_table(state, context, pick);
    const ImGuiStyle& style = ImGui::GetStyle();
    ImGui::SetNextItemWidth(-(ImGui::CalcTextSize("Open").x + style.FramePadding.x * 2.0f + style.ItemSpacing.x));
    ImGui::InputTextWithHint("##path", "/path/to/model.gguf", &state.open_path);
    ImGui::SameLine();
    ImGui::BeginDisabled(context.locked || state.open_path.empty());
    if (ImGui::Button("Open")) pick = state.open_path;
    ImGui::EndDisabled();
    record_item(context.targets, "open_model");
    if (context.locked) ImGui::TextDisabled("(stop the answer to switch models)");
    return pick;
}

}  // namespace hearth::ui
