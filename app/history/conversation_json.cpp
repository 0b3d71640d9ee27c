#include "app/history/conversation_json.h"

#include <limits>
#include <optional>

#include "app/history/json_text.h"
#include "core/error.h"

namespace hearth::history {

namespace {

using Json = nlohmann::ordered_json;

enum class Presence { required, optional };

std::string field_name(const std::string& where, std::string_view key) {
    return where + ": \"" + std::string(key) + "\"";
}

// The member `key` of `object`, or nullptr when it is absent and optional.
const Json* find_member(const Json& object, std::string_view key, const std::string& where, Presence presence) {
    const auto found = object.find(key);
    if (found != object.end()) return &*found;
    require(presence == Presence::optional, ErrorKind::bad_request, field_name(where, key) + " is missing");
    return nullptr;
}

std::string read_string(const Json& object, std::string_view key, const std::string& where, Presence presence) {
    const Json* member = find_member(object, key, where, presence);
    if (!member) return {};
    require(member->is_string(), ErrorKind::bad_request, field_name(where, key) + " must be a string");
    return member->get<std::string>();
}

std::int64_t read_integer(const Json& object, std::string_view key, const std::string& where,
                          std::int64_t fallback) {
    const Json* member = find_member(object, key, where, Presence::optional);
    if (!member) return fallback;
    const bool fits = member->is_number_integer() &&
                      !(member->is_number_unsigned() &&
                        member->get<std::uint64_t>() > std::uint64_t{std::numeric_limits<std::int64_t>::max()});
    require(fits, ErrorKind::bad_request, field_name(where, key) + " must be a 64-bit integer");
    return member->get<std::int64_t>();
}

std::optional<double> read_optional_number(const Json& object, std::string_view key, const std::string& where) {
    const Json* member = find_member(object, key, where, Presence::optional);
    if (!member || member->is_null()) return std::nullopt;
    require(member->is_number(), ErrorKind::bad_request, field_name(where, key) + " must be a number or null");
    return member->get<double>();
}

MessageRole read_role(const Json& object, const std::string& where) {
    const std::string role = read_string(object, "role", where, Presence::required);
    try {
        return parse_message_role(role);
    } catch (const Error& error) {
        throw Error(ErrorKind::bad_request, where + ": " + error.what());
    }
}

std::string read_sampling(const Json& object, const std::string& where) {
    const Json* member = find_member(object, "sampling", where, Presence::optional);
    if (!member) return MessageFields{}.sampling_json;
    require(member->is_object(), ErrorKind::bad_request, field_name(where, "sampling") + " must be an object");
    return member->dump();
}

Message parse_message(const Json& value, const std::string& where, std::int64_t default_time_ms) {
    require(value.is_object(), ErrorKind::bad_request, where + " must be an object");
    Message message;
    message.role = read_role(value, where);
    message.content = read_string(value, "content", where, Presence::required);
    message.model = read_string(value, "model", where, Presence::optional);
    message.sampling_json = read_sampling(value, where);
    message.prompt_tokens = read_integer(value, "prompt_tokens", where, 0);
    message.completion_tokens = read_integer(value, "completion_tokens", where, 0);
    message.time_to_first_token_ms = read_optional_number(value, "time_to_first_token_ms", where);
    message.tokens_per_second = read_optional_number(value, "tokens_per_second", where);
    message.created_ms = read_integer(value, "created_ms", where, default_time_ms);
    check_message_fields(message, where);
    return message;
}

void check_format(const Json& document, const std::string& where) {
    const std::string format = read_string(document, "format", where, Presence::required);
    require(format == conversation_format_name, ErrorKind::bad_request,
            where + ": format \"" + format + "\" is not " + std::string(conversation_format_name));
    require(document.contains("version"), ErrorKind::bad_request, field_name(where, "version") + " is missing");
    const std::int64_t version = read_integer(document, "version", where, 0);
    require(version == conversation_format_version, ErrorKind::bad_request,
            where + ": format version " + std::to_string(version) + " is not the one this Hearth reads (" +
                std::to_string(conversation_format_version) + ")");
}

Json sampling_object(const Message& message) {
    try {
        const Json sampling = parse_untrusted_json(message.sampling_json, "sampling");
        if (sampling.is_object()) return sampling;
    } catch (const Error&) {
        // reported below as damage of the stored record
    }
    throw Error(ErrorKind::bad_file,
                "message " + std::to_string(message.id) + ": stored sampling settings are not a JSON object");
}

Json optional_number(const std::optional<double>& value) { return value ? Json(*value) : Json(nullptr); }

}  // namespace

std::string to_json(const ConversationDocument& document) {
    const Conversation& conversation = document.conversation;
    Json messages = Json::array();
    for (const Message& message : document.messages) {
        messages.push_back({
            {"role", to_string(message.role)},
            {"content", message.content},
            {"model", message.model},
            {"sampling", sampling_object(message)},
            {"prompt_tokens", message.prompt_tokens},
            {"completion_tokens", message.completion_tokens},
            {"time_to_first_token_ms", optional_number(message.time_to_first_token_ms)},
            {"tokens_per_second", optional_number(message.tokens_per_second)},
            {"created_ms", message.created_ms},
        });
    }
    const Json json = {
        {"format", conversation_format_name},
        {"version", conversation_format_version},
        {"title", conversation.title},
        {"model", conversation.model},
        {"system_prompt", conversation.system_prompt},
        {"created_ms", conversation.created_ms},
        {"updated_ms", conversation.updated_ms},
        {"messages", std::move(messages)},
    };
    // Stored text is not guaranteed to be UTF-8; bad bytes become U+FFFD instead of failing.
    return json.dump(2, ' ', false, Json::error_handler_t::replace);
}

ConversationDocument parse_conversation_document(std::string_view json, std::int64_t default_time_ms) {
    const std::string where = "conversation JSON";
    const Json value = parse_untrusted_json(json, where);
    require(value.is_object(), ErrorKind::bad_request, where + " must be an object");
    check_format(value, where);

    ConversationDocument document;
    Conversation& conversation = document.conversation;
    conversation.title = read_string(value, "title", where, Presence::required);
    conversation.model = read_string(value, "model", where, Presence::optional);
    conversation.system_prompt = read_string(value, "system_prompt", where, Presence::optional);
    conversation.created_ms = read_integer(value, "created_ms", where, default_time_ms);
    conversation.updated_ms = read_integer(value, "updated_ms", where, default_time_ms);

    const Json* messages = find_member(value, "messages", where, Presence::required);
    require(messages->is_array(), ErrorKind::bad_request, field_name(where, "messages") + " must be an array");
    for (std::size_t i = 0; i < messages->size(); ++i) {
        const std::string message_where = where + ": messages[" + std::to_string(i) + "]";
        document.messages.push_back(parse_message((*messages)[i], message_where, default_time_ms));
        document.messages.back().ordinal = static_cast<std::int64_t>(i);
    }
    return document;
}

}  // namespace hearth::history
