#pragma once
// The small chat page served at "/": streams from /v1/chat/completions in the browser.
#include <string_view>

namespace hearth::server {

std::string_view chat_page_html();

}  // namespace hearth::server
