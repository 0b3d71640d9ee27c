#pragma once
// Drawing one chat message: prose wrapped to the width, ``` fenced code in a monospaced font on
// a darker background with its own copy button, and the assistant's speed line.
#include <string_view>

#include "app/history/history_types.h"
#include "ui/fonts.h"

namespace hearth::ui {

// Copies to the clipboard when a code block's "copy" is clicked.
void draw_message_body(std::string_view content, const UiFonts& fonts);

// "You" / "Assistant" / "System" in the role's colour.
void draw_role_label(MessageRole role);

// The dimmed line under an answer: model, tokens, speed and time to first token.
void draw_answer_meta(const Message& message);

}  // namespace hearth::ui
