#pragma once
// The records of the chat-history store: conversations and their messages.
// Timestamps are milliseconds since the Unix epoch.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hearth {

enum class MessageRole { system, user, assistant, tool };

std::string_view to_string(MessageRole role);
// Throws Error(bad_request) for anything but "system", "user", "assistant", "tool".
MessageRole parse_message_role(std::string_view text);

// What a caller chooses about a conversation.
struct ConversationFields {
    std::string title;
    std::string model;          // the model last used, "" when none
    std::string system_prompt;  // "" when none
    bool operator==(const ConversationFields&) const = default;
};

struct Conversation : ConversationFields {
    std::int64_t id = 0;
    std::int64_t created_ms = 0;
    std::int64_t updated_ms = 0;  // the last change to the conversation or its messages
    bool operator==(const Conversation&) const = default;
};

// What a caller supplies for a message; the store assigns id, ordinal and time.
struct MessageFields {
    MessageRole role = MessageRole::user;
    std::string content;
    std::string model;                 // the model that wrote it, "" for people and tools
    std::string sampling_json = "{}";  // a JSON object: temperature, top_p, seed, ...
    std::int64_t prompt_tokens = 0;
    std::int64_t completion_tokens = 0;
    std::optional<double> time_to_first_token_ms;  // absent when not measured
    std::optional<double> tokens_per_second;
    bool operator==(const MessageFields&) const = default;
};

struct Message : MessageFields {
    std::int64_t id = 0;
    std::int64_t conversation_id = 0;
    std::int64_t ordinal = 0;  // 0, 1, 2, ... within its conversation, without gaps
    std::int64_t created_ms = 0;
    bool operator==(const Message&) const = default;
};

// The two sides of one turn, written together.
struct Exchange {
    Message user;
    Message assistant;
};

// Throws Error(bad_request, "<context>: ...") when a message cannot be stored: negative token
// counts, negative or non-finite timings, or sampling_json that is not a JSON object.
void check_message_fields(const MessageFields& fields, std::string_view context);

// A window over a listing.
struct Page {
    std::int64_t limit = 100;
    std::int64_t offset = 0;
};

}  // namespace hearth
