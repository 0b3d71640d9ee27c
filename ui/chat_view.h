#pragma once
// The conversation pane: the system prompt, the messages (scrolling, following new text while
// the view is at the bottom), per-message actions, and the input box at the bottom.
//
// Long conversations stay cheap: a message scrolled out of sight is replaced by a blank of its
// last measured height, so only visible messages are laid out each frame.
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "ui/chat_controller.h"
#include "ui/fonts.h"
#include "ui/ui_targets.h"

namespace hearth::ui {

struct MessageLayout {
    float width = 0.0f;        // the wrap width it was measured at
    size_t content_bytes = 0;  // the content it was measured with
    float height = 0.0f;
};

struct ChatViewState {
    std::string draft;
    bool send_requested = false;  // Enter in the input box (set from ImGui's callback)
    bool clear_draft = false;     // empty the box on its next frame (it is being edited)
    bool input_active = false;    // the box is being edited (ImGui owns its text then)
    bool focus_input = true;
    bool scroll_to_end = false;
    std::optional<int64_t> editing_id;
    std::string edit_text;
    std::string system_prompt_text;
    bool system_prompt_active = false;  // being edited: not overwritten from the conversation
    std::unordered_map<int64_t, MessageLayout> layouts;
};

// What the user asked for this frame; the app carries it out.
struct ChatViewRequests {
    std::optional<std::string> send;
    bool stop = false;
    bool regenerate = false;
    std::optional<std::pair<int64_t, std::string>> resend;  // edited message id, new text
    std::optional<std::string> system_prompt;
};

struct ChatViewContext {
    const ChatController& chat;
    const UiFonts& fonts;
    UiTargets& targets;
    bool model_ready = false;
};

ChatViewRequests draw_chat_view(ChatViewState& state, const ChatViewContext& context);

// Empties the input box (after its text was sent).
void clear_draft(ChatViewState& state);

}  // namespace hearth::ui
