#pragma once
// The JSON exchange format of one conversation:
//   {"format": "hearth.conversation", "version": 1, "title": ..., "model": ...,
//    "system_prompt": ..., "created_ms": ..., "updated_ms": ...,
//    "messages": [{"role": ..., "content": ..., "model": ..., "sampling": {...},
//                  "prompt_tokens": ..., "completion_tokens": ...,
//                  "time_to_first_token_ms": number|null, "tokens_per_second": number|null,
//                  "created_ms": ...}, ...]}
// Ids and ordinals are not part of it: an import is a new conversation, in array order.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "app/history/history_types.h"

namespace hearth::history {

inline constexpr std::string_view conversation_format_name = "hearth.conversation";
inline constexpr int conversation_format_version = 1;

// A conversation and its messages, in order; ids are ignored by to_json and 0 from parsing.
struct ConversationDocument {
    Conversation conversation;
    std::vector<Message> messages;
};

std::string to_json(const ConversationDocument& document);

// Validates every field; Error(bad_request) naming the first bad one. Required: format,
// version, title, messages and each message's role and content; absent optional fields take
// the defaults of ConversationFields/MessageFields, absent times `default_time_ms`.
ConversationDocument parse_conversation_document(std::string_view json, std::int64_t default_time_ms);

}  // namespace hearth::history
