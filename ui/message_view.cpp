#include "ui/message_view.h"

#include <cstdio>
#include <string>

#include <imgui.h>

#include "ui/markdown_blocks.h"

namespace hearth::ui {
namespace {

constexpr ImU32 kCodeBackground = IM_COL32(32, 34, 40, 255);
constexpr float kCodePadding = 6.0f;

void draw_prose(std::string_view text) {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(text.data(), text.data() + text.size());
    ImGui::PopTextWrapPos();
}

// The block is drawn on a second draw-list channel so its background, whose size is known only
// afterwards, can go underneath it.
void draw_code(const TextBlock& block, const UiFonts& fonts, int index) {
    ImDrawList* draw_list = ImGui::GetWindowDrawList();
    const float padding = kCodePadding * fonts.scale();
    const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    draw_list->ChannelsSplit(2);
    draw_list->ChannelsSetCurrent(1);
    ImGui::Dummy(ImVec2(0.0f, padding * 0.5f));
    ImGui::Indent(padding);
    ImGui::BeginGroup();
    ImGui::TextDisabled("%s", block.language.empty() ? "code" : block.language.c_str());
    ImGui::SameLine();
    ImGui::PushID(index);
    if (ImGui::SmallButton("copy code")) ImGui::SetClipboardText(std::string(block.text).c_str());
    ImGui::PopID();
    ImGui::PushFont(fonts.mono());
    ImGui::PushTextWrapPos(right - ImGui::GetWindowPos().x - padding);
    ImGui::TextUnformatted(block.text.data(), block.text.data() + block.text.size());
    ImGui::PopTextWrapPos();
    ImGui::PopFont();
    ImGui::EndGroup();
    ImGui::Unindent(padding);
    const ImVec2 min = ImGui::GetItemRectMin();
    const ImVec2 max = ImGui::GetItemRectMax();
    draw_list->ChannelsSetCurrent(0);
    draw_list->AddRectFilled(ImVec2(min.x - padding, min.y - padding * 0.5f), ImVec2(right, max.y + padding * 0.5f),
                             kCodeBackground, 4.0f * fonts.scale());
    draw_list->ChannelsMerge();
    ImGui::Dummy(ImVec2(0.0f, padding * 0.5f));
}

}  // namespace

void draw_message_body(std::string_view content, const UiFonts& fonts) {
    int index = 0;
    for (const TextBlock& block : split_fenced_blocks(content)) {
        if (block.kind == BlockKind::code) {
            draw_code(block, fonts, index);
        } else {
            draw_prose(block.text);
        }
        ++index;
    }
}

void draw_role_label(MessageRole role) {
    switch (role) {
        case MessageRole::user: ImGui::TextColored(ImVec4(0.45f, 0.70f, 1.0f, 1.0f), "You"); break;
        case MessageRole::assistant: ImGui::TextColored(ImVec4(0.50f, 0.85f, 0.55f, 1.0f), "Assistant"); break;
        case MessageRole::system: ImGui::TextColored(ImVec4(0.85f, 0.75f, 0.45f, 1.0f), "System"); break;
        case MessageRole::tool: ImGui::TextColored(ImVec4(0.75f, 0.60f, 0.90f, 1.0f), "Tool"); break;
    }
}

void draw_answer_meta(const Message& message) {
    std::string line = message.model.empty() ? std::string() : message.model + " · ";
    line += std::to_string(message.completion_tokens) + " tokens";
    char part[64];
    if (message.tokens_per_second) {
        std::snprintf(part, sizeof(part), " · %.1f tokens/s", *message.tokens_per_second);
        line += part;
    }
    if (message.time_to_first_token_ms) {
        std::snprintf(part, sizeof(part), " · first token %.0f ms", *message.time_to_first_token_ms);
        line += part;
    }
    ImGui::TextDisabled("%s", line.c_str());
}

}  // namespace hearth::ui
