#include "ui/chat_controller.h"

#include <algorithm>
#include <utility>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace hearth::ui {
namespace {

constexpr size_t kTitleCharacters = 48;

std::vector<ChatMessage> chat_messages(const std::string& system_prompt, const std::vector<Message>& stored,
                                       const std::optional<std::string>& new_user_text) {
    std::vector<ChatMessage> out;
    if (!system_prompt.empty()) out.push_back({"system", system_prompt});
    for (const Message& m : stored) out.push_back({std::string(to_string(m.role)), m.content});
    if (new_user_text) out.push_back({"user", *new_user_text});
    return out;
}

std::string sampling_json(const GenerationSettings& settings, uint64_t seed) {
    const SamplingParams& s = settings.sampling;
    const nlohmann::json json = {
        {"preset", settings.preset},       {"temperature", s.temperature}, {"top_k", s.top_k},
        {"top_p", s.top_p},                {"min_p", s.min_p},             {"repeat_penalty", s.repeat_penalty},
        {"max_tokens", settings.max_tokens}, {"seed", seed},
    };
    return json.dump();
}

MessageFields answer_fields(const PendingTurn& turn, const RequestResult& result) {
    MessageFields fields;
    fields.role = MessageRole::assistant;
    fields.content = turn.generation->text();
    fields.model = turn.model_name;
    fields.sampling_json = sampling_json(turn.settings, result.seed);
    fields.prompt_tokens = result.prompt_tokens;
    fields.completion_tokens = result.generated_tokens;
    if (result.generated_tokens > 0) fields.time_to_first_token_ms = result.timing.time_to_first_token_seconds * 1000.0;
    if (result.generated_tokens > 1 && result.timing.decode_seconds > 0.0)
        fields.tokens_per_second = (result.generated_tokens - 1) / result.timing.decode_seconds;
    return fields;
}

MessageFields user_fields(const std::string& text) {
    MessageFields fields;
    fields.role = MessageRole::user;
    fields.content = text;
    return fields;
}

}  // namespace

std::string conversation_title(const std::string& text, size_t max_characters) {
    const std::string line = text.substr(0, text.find('\n'));
    size_t characters = 0;
    for (size_t i = 0; i < line.size(); ++i) {
        if ((static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) continue;  // a continuation byte
        if (characters++ == max_characters) return line.substr(0, i) + "...";
    }
    return line;
}

ChatController::ChatController(HistoryStore& history, std::string default_system_prompt)
    : history_(history), default_system_prompt_(std::move(default_system_prompt)), system_prompt_(default_system_prompt_) {}

void ChatController::start_new() {
    conversation_id_.reset();
    messages_.clear();
    system_prompt_ = default_system_prompt_;
}

void ChatController::open(int64_t conversation_id) {
    const auto conversation = history_.get_conversation(conversation_id);
    require(conversation.has_value(), ErrorKind::bad_request, "conversation " + std::to_string(conversation_id) + " no longer exists");
    conversation_id_ = conversation_id;
    system_prompt_ = conversation->system_prompt;
    messages_ = history_.list_messages(conversation_id);
}

void ChatController::forget(int64_t conversation_id) {
    if (conversation_id_ == conversation_id) start_new();
}

void ChatController::reload() {
    if (conversation_id_) messages_ = history_.list_messages(*conversation_id_);
}

void ChatController::set_system_prompt(const std::string& text) {
    if (!conversation_id_) {
        system_prompt_ = text;
        return;
    }
    auto conversation = history_.get_conversation(*conversation_id_);
    require(conversation.has_value(), ErrorKind::bad_request, "the conversation no longer exists");
    conversation->system_prompt = text;
    history_.update_conversation(*conversation_id_, *conversation);
    system_prompt_ = text;
}

void ChatController::set_default_system_prompt(const std::string& text) {
    if (!conversation_id_ && !pending_ && system_prompt_ == default_system_prompt_) system_prompt_ = text;
    default_system_prompt_ = text;
}

void ChatController::ensure_conversation(const std::string& first_text, const std::string& model_name) {
    if (conversation_id_) return;
    const ConversationFields fields{conversation_title(first_text, kTitleCharacters), model_name, system_prompt_};
    conversation_id_ = history_.create_conversation(fields).id;
}

void ChatController::send(ModelRuntime& runtime, const std::string& text, const GenerationSettings& settings) {
    require(!generating(), ErrorKind::bad_request, "an answer is still being written; stop it first (Esc)");
    require(text.find_first_not_of(" \t\r\n") != std::string::npos, ErrorKind::bad_request, "the message is empty");
    begin(runtime, text, settings);
}

void ChatController::regenerate(ModelRuntime& runtime, const GenerationSettings& settings) {
    require(!generating(), ErrorKind::bad_request, "an answer is still being written; stop it first (Esc)");
    require(conversation_id_ && !messages_.empty(), ErrorKind::bad_request, "there is no answer to regenerate");
    std::vector<Message> kept = messages_;
    if (kept.back().role == MessageRole::assistant) kept.pop_back();
    require(!kept.empty() && kept.back().role == MessageRole::user, ErrorKind::bad_request,
            "the conversation does not end with a question to answer");
    const std::vector<Message> all = std::exchange(messages_, kept);
    try {
        begin(runtime, std::nullopt, settings);
    } catch (...) {
        messages_ = all;
        throw;
    }
    // Only now that generation runs does the old answer go from the database.
    if (all.size() > kept.size()) history_.truncate_messages(*conversation_id_, all.back().ordinal);
}

void ChatController::edit_and_resend(ModelRuntime& runtime, int64_t message_id, const std::string& text,
                                     const GenerationSettings& settings) {
    require(!generating(), ErrorKind::bad_request, "an answer is still being written; stop it first (Esc)");
    require(text.find_first_not_of(" \t\r\n") != std::string::npos, ErrorKind::bad_request, "the message is empty");
    const auto edited = std::find_if(messages_.begin(), messages_.end(), [&](const Message& m) { return m.id == message_id; });
    require(edited != messages_.end() && edited->role == MessageRole::user, ErrorKind::bad_request,
            "only your own messages can be edited");
    const int64_t ordinal = edited->ordinal;
    const std::vector<Message> all = messages_;
    messages_.erase(edited, messages_.end());
    try {
        begin(runtime, text, settings);
    } catch (...) {
        messages_ = all;
        throw;
    }
    history_.truncate_messages(*conversation_id_, ordinal);
}

void ChatController::begin(ModelRuntime& runtime, std::optional<std::string> user_text, const GenerationSettings& settings) {
    require(runtime.engine != nullptr, ErrorKind::bad_request, "no model is loaded: pick one in the Model panel");
    const std::vector<ChatMessage> chat = chat_messages(system_prompt_, messages_, user_text);
    Request request;
    request.prompt = runtime.model->chat_prompt(chat);
    const int32_t n_ctx = runtime.engine->scheduler_options().n_ctx;
    const auto prompt_size = static_cast<int32_t>(request.prompt.size());
    require(prompt_size + 1 < n_ctx, ErrorKind::bad_request,
            "the conversation has " + std::to_string(prompt_size) + " tokens and no longer fits the context of " +
                std::to_string(n_ctx) + "; start a new chat (Ctrl+N)");
    request.options.max_tokens = std::min(settings.max_tokens, n_ctx - prompt_size);
    request.options.sampling = settings.sampling;
    PendingTurn turn;
    turn.model_name = runtime.info.path.filename().string();
    turn.settings = settings;
    const bool creates_conversation = user_text && !conversation_id_;
    if (user_text) ensure_conversation(*user_text, turn.model_name);
    try {
        turn.generation = std::make_unique<ActiveGeneration>(*runtime.engine, std::move(request));
    } catch (...) {
        if (creates_conversation) {
            history_.delete_conversation(*conversation_id_);
            conversation_id_.reset();
        }
        throw;
    }
    turn.user_text = std::move(user_text);
    pending_ = std::move(turn);
}

void ChatController::stop() {
    if (pending_) pending_->generation->stop();
}

std::optional<TurnOutcome> ChatController::update() {
    if (!pending_) return std::nullopt;
    pending_->generation->poll();
    if (!pending_->generation->done()) return std::nullopt;
    TurnOutcome outcome{pending_->generation->text(), pending_->generation->result(), std::nullopt};
    if (outcome.result.finish == FinishReason::error) outcome.error = "generation failed: " + outcome.result.error;
    try {
        store_finished_turn();
    } catch (...) {
        pending_.reset();
        reload();
        throw;
    }
    pending_.reset();
    reload();
    return outcome;
}

void ChatController::store_finished_turn() {
    const PendingTurn& turn = *pending_;
    const RequestResult result = turn.generation->result();
    const bool has_answer = result.finish != FinishReason::error && !turn.generation->text().empty();
    const int64_t id = *conversation_id_;
    if (turn.user_text && has_answer) {
        history_.append_exchange(id, user_fields(*turn.user_text), answer_fields(turn, result));
    } else if (turn.user_text) {
        history_.append_message(id, user_fields(*turn.user_text));  // kept, so it can be regenerated
    } else if (has_answer) {
        history_.append_message(id, answer_fields(turn, result));
    }
}

}  // namespace hearth::ui
