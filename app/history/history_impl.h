#pragma once
// Inside HistoryStore: the connection, the lock that serialises its users, and the SQL
// helpers shared by the store's source files. Helpers expect the caller to hold the lock and,
// for writes, an open write transaction.
#include <mutex>
#include <optional>
#include <vector>

#include "app/history/history_store.h"
#include "app/history/sqlite_db.h"

namespace hearth {

struct HistoryStore::Impl {
    Impl(const std::filesystem::path& path, HistoryOptions history_options);

    std::int64_t now_ms() const;
    std::unique_lock<std::mutex> lock() { return std::unique_lock(mutex); }

    HistoryOptions options;
    sqlite::Connection db;
    int schema_version = 0;
    std::mutex mutex;
};

namespace history {

std::optional<Conversation> find_conversation(sqlite::Connection& db, std::int64_t id);
// The conversation, or Error(bad_request) when there is none.
Conversation require_conversation(sqlite::Connection& db, std::int64_t id);
Conversation insert_conversation(sqlite::Connection& db, const Conversation& conversation);
// Moves updated_ms forward to `now_ms` (never back); Error(bad_request) when there is none.
void touch_conversation(sqlite::Connection& db, std::int64_t id, std::int64_t now_ms);

// Writes one message with the given conversation, ordinal and time (ids of `message` are
// ignored) and returns it as stored.
Message insert_message(sqlite::Connection& db, const Message& message);
std::int64_t next_ordinal(sqlite::Connection& db, std::int64_t conversation_id);
std::vector<Message> select_messages(sqlite::Connection& db, std::int64_t conversation_id);

}  // namespace history

}  // namespace hearth
