#include "app/history/schema.h"

#include <array>
#include <string>

#include "core/error.h"

namespace hearth::history {

namespace {

// 1213355080 == 0x48525448 ("HRTH"); PRAGMA wants a decimal literal.
static_assert(history_application_id == 1213355080);

constexpr std::array<SchemaMigration, 3> migrations = {{
    {1, "conversations and their messages (role, content, timestamps)", R"sql(
PRAGMA application_id = 1213355080;
CREATE TABLE conversations (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
);
CREATE INDEX conversations_by_updated ON conversations (updated_ms);
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant', 'tool')),
    content TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    UNIQUE (conversation_id, ordinal)
);
)sql"},
    {2, "per-conversation model and system prompt; per-message model, sampling, tokens, timings", R"sql(
ALTER TABLE conversations ADD COLUMN model TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN system_prompt TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN model TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN sampling_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE messages ADD COLUMN prompt_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN completion_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN time_to_first_token_ms REAL;
ALTER TABLE messages ADD COLUMN tokens_per_second REAL;
)sql"},
    {3, "key/value settings of the desktop app", R"sql(
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
)sql"},
}};

std::string where(const sqlite::Connection& db) { return db.path().string() + ": "; }

int newest_known_version_check(sqlite::Connection& db, std::int64_t version) {
    require(version <= latest_schema_version(), ErrorKind::bad_file,
            where(db) + "history schema version " + std::to_string(version) +
                " is newer than this Hearth reads (up to " + std::to_string(latest_schema_version()) +
                "); the file was left as it is");
    return static_cast<int>(version);
}

}  // namespace

std::span<const SchemaMigration> schema_migrations() { return migrations; }

int latest_schema_version() { return static_cast<int>(migrations.size()); }

int check_history_database(sqlite::Connection& db) {
    // One snapshot, as another connection may be creating the schema right now. The first
    // read of the file: a file that is not SQLite fails here, before any write.
    sqlite::Transaction snapshot(db, sqlite::TransactionKind::read);
    const std::int64_t application_id = db.query_int("PRAGMA application_id");
    const std::int64_t version = db.query_int("PRAGMA user_version");
    const bool empty = application_id == 0 && version == 0 &&
                       db.query_int("SELECT count(*) FROM sqlite_master") == 0;
    if (empty) return 0;
    require(application_id == history_application_id, ErrorKind::bad_file,
            where(db) + "not a Hearth history database (application_id " + std::to_string(application_id) + ")");
    require(version >= 1, ErrorKind::bad_file, where(db) + "Hearth history database without a schema version");
    return newest_known_version_check(db, version);
}

void migrate_to(sqlite::Connection& db, int target_version) {
    require(target_version >= 0 && target_version <= latest_schema_version(), ErrorKind::internal,
            where(db) + "no history schema version " + std::to_string(target_version));
    // Up to date: done without taking the write lock (the common case of every open).
    while (newest_known_version_check(db, db.query_int("PRAGMA user_version")) < target_version) {
        // Read again inside the write transaction: another connection may have migrated the
        // file since this one looked.
        sqlite::Transaction transaction(db, sqlite::TransactionKind::write);
        const int version = newest_known_version_check(db, db.query_int("PRAGMA user_version"));
        if (version >= target_version) return;  // nothing written; the destructor ends the read
        const SchemaMigration& step = migrations[static_cast<std::size_t>(version)];
        db.exec(step.sql);
        db.exec("PRAGMA user_version = " + std::to_string(step.version));
        transaction.commit();
    }
}

}  // namespace hearth::history
