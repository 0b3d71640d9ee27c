// Databases written by every earlier schema version open with the current code, data intact.
#include <doctest/doctest.h>

#include "app/history/schema.h"
#include "core/error.h"
#include "tests/history/history_test_util.h"

namespace hearth {
namespace {

using test::TempDir;
using test::text_message;

// A database file exactly as Hearth at schema `version` created it.
void create_at_version(const std::filesystem::path& path, int version) {
    sqlite::Connection db(path, 5000);
    db.exec("PRAGMA journal_mode = WAL");
    history::migrate_to(db, version);
    CHECK(db.query_int("PRAGMA user_version") == version);
}

std::int64_t column_count(const std::filesystem::path& path, const std::string& table) {
    return test::query_file(path, "SELECT count(*) FROM pragma_table_info('" + table + "')");
}

TEST_CASE("the migration list is ordered and ends at the latest version") {
    const auto migrations = history::schema_migrations();
    REQUIRE(migrations.size() == static_cast<std::size_t>(history::latest_schema_version()));
    for (std::size_t i = 0; i < migrations.size(); ++i) {
        CHECK(migrations[i].version == static_cast<int>(i + 1));
        CHECK_FALSE(migrations[i].sql.empty());
    }
}

TEST_CASE("a version 1 database (no model, sampling, tokens or settings) migrates with defaults") {
    TempDir dir;
    const auto path = dir.file("v1.db");
    create_at_version(path, 1);
    {
        sqlite::Connection db(path, 5000);
        db.exec(R"sql(
            INSERT INTO conversations (id, title, created_ms, updated_ms) VALUES
                (1, 'old chat', 100, 200), (2, 'second', 150, 150);
            INSERT INTO messages (conversation_id, ordinal, role, content, created_ms) VALUES
                (1, 0, 'user', 'hello', 110), (1, 1, 'assistant', 'hi there', 120),
                (2, 0, 'system', 'be nice', 151);
        )sql");
    }
    HistoryStore store = HistoryStore::open(path, test::ticking_clock(1000));
    CHECK(store.schema_version() == history::latest_schema_version());
    CHECK(test::query_file(path, "PRAGMA user_version") == history::latest_schema_version());

    const std::vector<Conversation> conversations = store.list_conversations();
    REQUIRE(conversations.size() == 2);
    CHECK(conversations[0].id == 1);
    CHECK(conversations[0].title == "old chat");
    CHECK(conversations[0].created_ms == 100);
    CHECK(conversations[0].updated_ms == 200);
    CHECK(conversations[0].model.empty());
    CHECK(conversations[0].system_prompt.empty());

    const std::vector<Message> messages = store.list_messages(1);
    REQUIRE(messages.size() == 2);
    CHECK(messages[1].role == MessageRole::assistant);
    CHECK(messages[1].content == "hi there");
    CHECK(messages[1].created_ms == 120);
    CHECK(messages[1].model.empty());
    CHECK(messages[1].sampling_json == "{}");
    CHECK(messages[1].prompt_tokens == 0);
    CHECK(messages[1].completion_tokens == 0);
    CHECK_FALSE(messages[1].time_to_first_token_ms.has_value());
    CHECK_FALSE(messages[1].tokens_per_second.has_value());

    // The migrated file works like a new one: ordinals continue, settings exist, export works.
    CHECK(store.append_message(1, text_message(MessageRole::user, "again")).ordinal == 2);
    store.set_setting("theme", "dark");
    CHECK(store.get_setting("theme") == "dark");
    CHECK(store.export_conversation(2).find("be nice") != std::string::npos);
    CHECK(store.delete_conversation(2));
    CHECK(test::query_file(path, "SELECT count(*) FROM messages WHERE conversation_id = 2") == 0);
}

TEST_CASE("a version 2 database (no settings table) migrates keeping per-message details") {
    TempDir dir;
    const auto path = dir.file("v2.db");
    create_at_version(path, 2);
    {
        sqlite::Connection db(path, 5000);
        db.exec(R"sql(
            INSERT INTO conversations (id, title, model, system_prompt, created_ms, updated_ms) VALUES
                (7, 'with stats', 'qwen2', 'Answer in French.', 10, 20);
            INSERT INTO messages (conversation_id, ordinal, role, content, model, sampling_json,
                                  prompt_tokens, completion_tokens, time_to_first_token_ms,
                                  tokens_per_second, created_ms) VALUES
                (7, 0, 'user', 'Bonjour', '', '{}', 0, 0, NULL, NULL, 11),
                (7, 1, 'assistant', 'Salut', 'qwen2', '{"temperature":0.2}', 9, 3, 55.5, 60.25, 12);
        )sql");
    }
    CHECK(column_count(path, "settings") == 0);
    HistoryStore store = HistoryStore::open(path);
    CHECK(store.schema_version() == history::latest_schema_version());
    CHECK(column_count(path, "settings") == 2);

    const Conversation conversation = *store.get_conversation(7);
    CHECK(conversation.model == "qwen2");
    CHECK(conversation.system_prompt == "Answer in French.");
    const std::vector<Message> messages = store.list_messages(7);
    REQUIRE(messages.size() == 2);
    CHECK(messages[1].model == "qwen2");
    CHECK(messages[1].sampling_json == R"({"temperature":0.2})");
    CHECK(messages[1].prompt_tokens == 9);
    CHECK(messages[1].completion_tokens == 3);
    CHECK(messages[1].time_to_first_token_ms == 55.5);
    CHECK(messages[1].tokens_per_second == 60.25);
    CHECK_FALSE(messages[0].tokens_per_second.has_value());
    CHECK_FALSE(store.get_setting("anything").has_value());
}

TEST_CASE("a migration that fails is rolled back whole and the version stays") {
    TempDir dir;
    const auto path = dir.file("v1-odd.db");
    create_at_version(path, 1);
    // The last statement of migration 2 will now fail, after its first ones succeeded.
    {
        sqlite::Connection db(path, 5000);
        db.exec("ALTER TABLE messages ADD COLUMN tokens_per_second REAL");
    }
    const std::int64_t conversation_columns = column_count(path, "conversations");
    CHECK_THROWS_AS(HistoryStore::open(path), Error);
    CHECK(test::query_file(path, "PRAGMA user_version") == 1);
    CHECK(column_count(path, "conversations") == conversation_columns);
}

TEST_CASE("opening an up-to-date database again changes nothing") {
    TempDir dir;
    const auto path = dir.file("h.db");
    { HistoryStore::open(path).create_conversation({"kept", "", ""}); }
    const std::int64_t version = test::query_file(path, "PRAGMA user_version");
    const std::int64_t schema_objects = test::query_file(path, "SELECT count(*) FROM sqlite_master");
    HistoryStore store = HistoryStore::open(path);
    CHECK(test::query_file(path, "PRAGMA user_version") == version);
    CHECK(test::query_file(path, "SELECT count(*) FROM sqlite_master") == schema_objects);
    CHECK(store.list_conversations().size() == 1);
}

}  // namespace
}  // namespace hearth
