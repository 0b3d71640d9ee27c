#include "ui/chat_view.h"

#include <imgui.h>
#include <imgui_stdlib.h>

#include "ui/message_view.h"
#include "ui/widgets.h"

namespace hearth::ui {
namespace {

constexpr float kInputLines = 4.0f;
constexpr float kSendButtonWidth = 90.0f;

// Only the last message offers regenerate.
enum class MessagePlace { earlier, last };

bool blank(const std::string& text) { return text.find_first_not_of(" \t\r\n") == std::string::npos; }

// Enter sends (the newline is dropped), Shift+Enter keeps it; a sent draft is emptied here
// because ImGui owns the text while the box is being edited.
int input_callback(ImGuiInputTextCallbackData* data) {
    auto& state = *static_cast<ChatViewState*>(data->UserData);
    if (data->EventFlag == ImGuiInputTextFlags_CallbackCharFilter) {
        if (data->EventChar == '\n' && !ImGui::GetIO().KeyShift) {
            state.send_requested = true;
            return 1;
        }
        return 0;
    }
    if (data->EventFlag == ImGuiInputTextFlags_CallbackAlways && state.clear_draft) {
        data->DeleteChars(0, data->BufTextLen);
        state.clear_draft = false;
    }
    return 0;
}

void draw_system_prompt(ChatViewState& state, const ChatController& chat, ChatViewRequests& requests) {
    if (!state.system_prompt_active) state.system_prompt_text = chat.system_prompt();
    if (!ImGui::CollapsingHeader("System prompt")) return;
    ImGui::InputTextMultiline("##system", &state.system_prompt_text, ImVec2(-1.0f, ImGui::GetTextLineHeight() * 3.5f));
    state.system_prompt_active = ImGui::IsItemActive();
    if (ImGui::IsItemDeactivatedAfterEdit()) requests.system_prompt = state.system_prompt_text;
    ImGui::TextDisabled("applies to the next answer of this conversation");
}

void draw_edit_box(ChatViewState& state, const Message& message, ChatViewRequests& requests) {
    ImGui::InputTextMultiline("##edit", &state.edit_text, ImVec2(-1.0f, ImGui::GetTextLineHeight() * 4.0f));
    if (ImGui::Button("Send edited")) {
        requests.resend = std::make_pair(message.id, state.edit_text);
        state.editing_id.reset();
    }
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) state.editing_id.reset();
}

void draw_message_actions(ChatViewState& state, const ChatViewContext& context, const Message& message, MessagePlace place,
                          ChatViewRequests& requests) {
    if (ImGui::SmallButton("Copy")) ImGui::SetClipboardText(message.content.c_str());
    const bool busy = context.chat.generating();
    ImGui::BeginDisabled(busy);
    if (message.role == MessageRole::user) {
        ImGui::SameLine();
        if (ImGui::SmallButton("Edit")) {
            state.editing_id = message.id;
            state.edit_text = message.content;
        }
        hover_tooltip("edit this message and send it again (later messages are replaced)");
    }
    if (place == MessagePlace::last && (message.role == MessageRole::assistant || message.role == MessageRole::user)) {
        ImGui::SameLine();
        if (ImGui::SmallButton(message.role == MessageRole::assistant ? "Regenerate" : "Retry")) requests.regenerate = true;
        record_item(context.targets, "regenerate");
    }
    ImGui::EndDisabled();
}

void draw_stored_message(ChatViewState& state, const ChatViewContext& context, const Message& message, MessagePlace place,
                         ChatViewRequests& requests) {
    draw_role_label(message.role);
    if (state.editing_id == message.id) {
        draw_edit_box(state, message, requests);
    } else {
        draw_message_body(message.content, context.fonts);
    }
    if (message.role == MessageRole::assistant) draw_answer_meta(message);
    draw_message_actions(state, context, message, place, requests);
    ImGui::Spacing();
    ImGui::Separator();
    ImGui::Spacing();
}

void draw_pending(const PendingTurn& turn, const ChatViewContext& context) {
    if (turn.user_text) {
        draw_role_label(MessageRole::user);
        draw_message_body(*turn.user_text, context.fonts);
        ImGui::Spacing();
        ImGui::Separator();
        ImGui::Spacing();
    }
    draw_role_label(MessageRole::assistant);
    const std::string& text = turn.generation->text();
    draw_message_body(text.empty() ? std::string_view("…") : std::string_view(text), context.fonts);
    const GenerationProgress progress = turn.generation->progress();
    if (progress.time_to_first_token_seconds) {
        ImGui::TextDisabled("writing · %d tokens · %.1f tokens/s (Esc stops)", progress.generated_tokens, progress.tokens_per_second);
    } else {
        ImGui::TextDisabled("reading the prompt (%d tokens) · %.1f s", progress.prompt_tokens, progress.elapsed_seconds);
    }
}

// A message out of sight whose size is known becomes a blank of that size.
bool skip_if_hidden(ChatViewState& state, const Message& message, float width) {
    const auto it = state.layouts.find(message.id);
    if (it == state.layouts.end() || state.editing_id == message.id) return false;
    const MessageLayout& layout = it->second;
    if (layout.width != width || layout.content_bytes != message.content.size()) return false;
    const float top = ImGui::GetCursorPosY();
    const float view_top = ImGui::GetScrollY();
    const float view_bottom = view_top + ImGui::GetWindowHeight();
    if (top + layout.height >= view_top && top <= view_bottom) return false;
    ImGui::Dummy(ImVec2(0.0f, layout.height));
    return true;
}

void draw_messages(ChatViewState& state, const ChatViewContext& context, float height, ChatViewRequests& requests) {
    ImGui::BeginChild("messages", ImVec2(0.0f, height), false);
    const auto& messages = context.chat.messages();
    if (messages.empty() && !context.chat.pending()) {
        ImGui::TextDisabled(context.model_ready ? "Type a message below. Enter sends, Shift+Enter starts a new line."
                                                : "Load a model in the Model panel to start.");
    }
    const float width = ImGui::GetContentRegionAvail().x;
    for (size_t i = 0; i < messages.size(); ++i) {
        const Message& message = messages[i];
        if (skip_if_hidden(state, message, width)) continue;
        ImGui::PushID(static_cast<int>(message.id));
        ImGui::BeginGroup();
        draw_stored_message(state, context, message, i + 1 == messages.size() ? MessagePlace::last : MessagePlace::earlier, requests);
        ImGui::EndGroup();
        ImGui::PopID();
        state.layouts[message.id] = MessageLayout{width, message.content.size(), ImGui::GetItemRectSize().y};
    }
    if (const PendingTurn* pending = context.chat.pending()) draw_pending(*pending, context);
    // Follow new text while the view is at the bottom; a reader who scrolled up stays put.
    if (state.scroll_to_end || ImGui::GetScrollY() >= ImGui::GetScrollMaxY()) ImGui::SetScrollHereY(1.0f);
    state.scroll_to_end = false;
    ImGui::EndChild();
}

void draw_input(ChatViewState& state, const ChatViewContext& context, float height, ChatViewRequests& requests) {
    const float scale = context.fonts.scale();
    const float button_width = kSendButtonWidth * scale;
    if (state.focus_input) {
        ImGui::SetKeyboardFocusHere();
        state.focus_input = false;
    }
    const ImGuiInputTextFlags flags = ImGuiInputTextFlags_CallbackCharFilter | ImGuiInputTextFlags_CallbackAlways;
    ImGui::InputTextMultiline("##input", &state.draft, ImVec2(-(button_width + ImGui::GetStyle().ItemSpacing.x), height), flags,
                              input_callback, &state);
    const bool input_active = ImGui::IsItemActive();
    record_item(context.targets, "input");
    ImGui::SameLine();
    if (context.chat.generating()) {
        if (ImGui::Button("Stop", ImVec2(button_width, 0.0f))) requests.stop = true;
        record_item(context.targets, "stop");
        hover_tooltip("stop the answer (Esc)");
    } else {
        ImGui::BeginDisabled(!context.model_ready);
        if (ImGui::Button("Send", ImVec2(button_width, 0.0f))) state.send_requested = true;
        ImGui::EndDisabled();
        record_item(context.targets, "send");
        hover_tooltip(context.model_ready ? "send (Enter); Shift+Enter: new line" : "load a model first");
    }
    state.input_active = input_active;
    if (state.send_requested && !context.chat.generating() && context.model_ready && !blank(state.draft)) {
        requests.send = state.draft;
        state.scroll_to_end = true;
    }
    state.send_requested = false;
}

}  // namespace

void clear_draft(ChatViewState& state) {
    if (state.input_active) {
        state.clear_draft = true;
    } else {
        state.draft.clear();
    }
}

ChatViewRequests draw_chat_view(ChatViewState& state, const ChatViewContext& context) {
    ChatViewRequests requests;
    draw_system_prompt(state, context.chat, requests);
    const ImGuiStyle& style = ImGui::GetStyle();
    const float input_height = ImGui::GetTextLineHeight() * kInputLines + style.FramePadding.y * 2.0f;
    draw_messages(state, context, -(input_height + style.ItemSpacing.y), requests);
    draw_input(state, context, input_height, requests);
    return requests;
}

}  // namespace hearth::ui
