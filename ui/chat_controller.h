#pragma once
// The open conversation and what happens to it: send, stop, regenerate, edit-and-resend, with
// the finished answers stored in the history database. No drawing here; the views call this.
//
// A turn's messages are written when its answer ends (both sides in one transaction), so the
// database never holds half an exchange; a stopped answer is kept as far as it got. When
// generation fails, the user's message is still stored, and "regenerate" retries it.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/history/history_store.h"
#include "ui/active_generation.h"
#include "ui/app_settings.h"
#include "ui/model_runtime.h"

namespace hearth::ui {

// The answer being generated and the user message it replies to (not stored yet).
struct PendingTurn {
    std::optional<std::string> user_text;  // absent when regenerating from stored messages
    std::unique_ptr<ActiveGeneration> generation;
    std::string model_name;
    GenerationSettings settings;
};

// How a finished turn went.
struct TurnOutcome {
    std::string answer;
    RequestResult result;
    std::optional<std::string> error;  // the engine's message when generation failed
};

class ChatController {
public:
    ChatController(HistoryStore& history, std::string default_system_prompt);

    std::optional<int64_t> conversation_id() const { return conversation_id_; }
    const std::vector<Message>& messages() const { return messages_; }
    const PendingTurn* pending() const { return pending_ ? &*pending_ : nullptr; }
    bool generating() const { return pending_.has_value(); }

    // A new, empty conversation; it is created in the database with its first message.
    void start_new();
    // Opens a stored conversation (stops nothing: callers stop a generation first).
    void open(int64_t conversation_id);
    // The conversation was deleted elsewhere; start a new one if it was this one.
    void forget(int64_t conversation_id);

    const std::string& system_prompt() const { return system_prompt_; }
    // The open conversation's system prompt (stored at once when it exists in the database).
    void set_system_prompt(const std::string& text);
    // What new conversations start with; also the open one's while it has no messages yet.
    void set_default_system_prompt(const std::string& text);

    // Each throws Error (bad_request: nothing to do, no model, prompt too long; io: database)
    // and leaves the conversation as it was when it does.
    void send(ModelRuntime& runtime, const std::string& text, const GenerationSettings& settings);
    void regenerate(ModelRuntime& runtime, const GenerationSettings& settings);
    void edit_and_resend(ModelRuntime& runtime, int64_t message_id, const std::string& text, const GenerationSettings& settings);
    void stop();

    // Drains new tokens; when the answer ended, stores the turn and says how it went.
    // Throws Error(io) when storing fails.
    std::optional<TurnOutcome> update();

private:
    void reload();  // re-reads the open conversation's messages
    void begin(ModelRuntime& runtime, std::optional<std::string> user_text, const GenerationSettings& settings);
    void store_finished_turn();
    void ensure_conversation(const std::string& first_text, const std::string& model_name);

    HistoryStore& history_;
    std::string default_system_prompt_;
    std::optional<int64_t> conversation_id_;
    std::vector<Message> messages_;
    std::string system_prompt_;
    std::optional<PendingTurn> pending_;
};

// The first line of the text, cut to at most max_characters UTF-8 characters.
std::string conversation_title(const std::string& text, size_t max_characters);

}  // namespace hearth::ui
