#include "app/server/chat_store.h"

#include <nlohmann/json.hpp>

#include "app/server/api_error.h"

namespace hearth::server {
namespace {

// At most max bytes, never ending inside a UTF-8 character.
std::string utf8_prefix(const std::string& text, size_t max) {
    if (text.size() <= max) return text;
    size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return text.substr(0, cut);
}

std::string sampling_json(const GenerationRequest& r) {
    const SamplingParams& s = r.sampling;
    nlohmann::json j = {{"temperature", s.temperature}, {"top_k", s.top_k}, {"top_p", s.top_p}, {"min_p", s.min_p},
                        {"repeat_penalty", s.repeat_penalty}, {"presence_penalty", s.presence_penalty},
                        {"frequency_penalty", s.frequency_penalty}, {"max_tokens", r.max_tokens}};
    if (s.seed != kRandomSeed) j["seed"] = s.seed;
    return j.dump();
}

MessageFields message_fields(const ChatMessage& m) {
    MessageFields f;
    f.role = parse_message_role(m.role);
    f.content = m.content;
    return f;
}

}  // namespace

std::optional<StoredChat> open_stored_chat(HistoryStore* history, const GenerationRequest& request,
                                           const std::string& model_name) {
    if (!request.store && !request.conversation_id) return std::nullopt;
    if (request.kind != GenerationRequest::Kind::chat) throw invalid_request("only chats can be stored", "store");
    if (!history) throw invalid_request("this server keeps no chat history (start it with --history FILE)", "store");
    if (request.conversation_id) {
        if (!history->get_conversation(*request.conversation_id))
            throw ApiError(ErrorKind::bad_request, {404, "not_found_error",
                                                    "no stored conversation " + std::to_string(*request.conversation_id),
                                                    "conversation_id", "conversation_not_found"});
        if (request.messages.empty() || request.messages.back().role != "user")
            throw invalid_request("to continue a stored conversation the last message must be the user's", "messages");
        return StoredChat{*request.conversation_id, false};
    }
    ConversationFields fields;
    fields.model = model_name;
    for (const ChatMessage& m : request.messages) {
        if (m.role == "system" && fields.system_prompt.empty()) fields.system_prompt = m.content;
        if (m.role == "user" && fields.title.empty()) fields.title = utf8_prefix(m.content, 80);
    }
    if (fields.title.empty()) fields.title = "New chat";
    return StoredChat{history->create_conversation(fields).id, true};
}

void finish_stored_chat(HistoryStore& history, const StoredChat& chat, const GenerationRequest& request,
                        const std::string& model_name, const std::string& reply, const GenerationSummary* summary) {
    if (!summary || summary->finish == FinishReason::cancelled) {
        if (chat.created) history.delete_conversation(chat.conversation_id);
        return;
    }
    MessageFields answer;
    answer.role = MessageRole::assistant;
    answer.content = reply;
    answer.model = model_name;
    answer.sampling_json = sampling_json(request);
    answer.prompt_tokens = summary->prompt_tokens;
    answer.completion_tokens = summary->completion_tokens;
    if (summary->timings.decode_s > 0 && summary->completion_tokens > 1)
        answer.tokens_per_second = (summary->completion_tokens - 1) / summary->timings.decode_s;
    // A new conversation takes the whole request (its system prompt lives on the conversation);
    // a continued one only the new user message.
    if (chat.created) {
        for (size_t i = 0; i + 1 < request.messages.size(); ++i)
            if (request.messages[i].role != "system") history.append_message(chat.conversation_id, message_fields(request.messages[i]));
    }
    const ChatMessage& last = request.messages.back();
    if (last.role == "user") {
        history.append_exchange(chat.conversation_id, message_fields(last), answer);
    } else {
        if (last.role != "system") history.append_message(chat.conversation_id, message_fields(last));
        history.append_message(chat.conversation_id, answer);
    }
}

}  // namespace hearth::server
