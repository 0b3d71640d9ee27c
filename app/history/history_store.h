#pragma once
// The chat-history store of the desktop app and the HTTP server: conversations, their messages
// and the app's settings in one SQLite file (WAL mode).
//
// Every write is one transaction, so a crash never leaves half a message or an exchange with
// only one side. One HistoryStore may be shared by threads (calls are serialised inside);
// several stores on one file, in threads or processes, take turns through SQLite's locks and
// wait up to the busy timeout for each other.
//
// Errors: SQLite failures are Error(io, "<path>: <sqlite message>"); a file that is not a
// Hearth history database, or has a newer schema than this code knows, is Error(bad_file) and
// is left untouched; unknown ids and invalid arguments are Error(bad_request).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/history/history_types.h"

namespace hearth {

struct HistoryOptions {
    // How long a write waits for another connection's write to finish before failing (io).
    std::chrono::milliseconds busy_timeout{5000};
    // Milliseconds since the epoch for new timestamps; empty means the system clock.
    // Called from whichever thread uses the store.
    std::function<std::int64_t()> clock_ms;
};

class HistoryStore {
public:
    // Opens the file, creating it when absent, and brings its schema up to date.
    static HistoryStore open(const std::filesystem::path& path, HistoryOptions options = {});

    // A moved-from store may only be destroyed or assigned to.
    HistoryStore(HistoryStore&&) noexcept;
    HistoryStore& operator=(HistoryStore&&) noexcept;
    ~HistoryStore();

    int schema_version() const;
    const std::filesystem::path& path() const;

    // Conversations.
    Conversation create_conversation(const ConversationFields& fields);
    void rename_conversation(std::int64_t id, std::string_view title);
    void update_conversation(std::int64_t id, const ConversationFields& fields);
    // Deletes the conversation and all its messages; false when there was none.
    bool delete_conversation(std::int64_t id);
    std::optional<Conversation> get_conversation(std::int64_t id) const;
    // Most recently updated first.
    std::vector<Conversation> list_conversations(Page page = {}) const;
    // Conversations whose title or any message contains `text` (ASCII case-insensitive;
    // % and _ match themselves; "" matches all), most recently updated first.
    std::vector<Conversation> search_conversations(std::string_view text, Page page = {}) const;

    // Messages. Appending or changing a message also updates its conversation's updated_ms.
    Message append_message(std::int64_t conversation_id, const MessageFields& fields);
    // The user's message and the assistant's reply, in one transaction.
    Exchange append_exchange(std::int64_t conversation_id, const MessageFields& user,
                             const MessageFields& assistant);
    std::vector<Message> list_messages(std::int64_t conversation_id) const;
    void edit_message(std::int64_t message_id, std::string_view content);
    // Deletes the messages at `from_ordinal` and after (regenerate, edit-and-resend);
    // returns how many were deleted.
    std::int64_t truncate_messages(std::int64_t conversation_id, std::int64_t from_ordinal);

    // One conversation and its messages as a JSON object ("format": "hearth.conversation").
    std::string export_conversation(std::int64_t id) const;
    // Stores exported JSON as a new conversation. Every field is validated before anything
    // is written: malformed JSON, wrong types and missing fields are Error(bad_request).
    Conversation import_conversation(std::string_view json);

    // Settings of the desktop app, kept between runs.
    std::optional<std::string> get_setting(std::string_view key) const;
    void set_setting(std::string_view key, std::string_view value);
    // False when the key was not set.
    bool erase_setting(std::string_view key);

    struct Impl;  // defined in history_impl.h, for the store's own source files

private:
    explicit HistoryStore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace hearth
