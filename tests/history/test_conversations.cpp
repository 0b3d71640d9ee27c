// Conversations: create, get, rename, update, delete (cascading), list order and paging, search.
#include <doctest/doctest.h>

#include "core/error.h"
#include "tests/history/history_test_util.h"

namespace hearth {
namespace {

using test::TempDir;
using test::text_message;

std::vector<std::string> titles(const std::vector<Conversation>& conversations) {
    std::vector<std::string> result;
    for (const Conversation& conversation : conversations) result.push_back(conversation.title);
    return result;
}

TEST_CASE("a new store is at the latest schema version and remembers conversations across opens") {
    TempDir dir;
    const auto path = dir.file("history.db");
    std::int64_t id = 0;
    {
        HistoryStore store = HistoryStore::open(path, test::ticking_clock(1000));
        CHECK(store.schema_version() == 3);
        CHECK(store.path() == path);
        const Conversation created = store.create_conversation({"First chat", "qwen2-0.5b", "Be brief."});
        id = created.id;
        CHECK(created.id > 0);
        CHECK(created.title == "First chat");
        CHECK(created.created_ms == 1000);
        CHECK(created.updated_ms == 1000);
    }
    HistoryStore reopened = HistoryStore::open(path);
    const std::optional<Conversation> got = reopened.get_conversation(id);
    REQUIRE(got.has_value());
    CHECK(got->title == "First chat");
    CHECK(got->model == "qwen2-0.5b");
    CHECK(got->system_prompt == "Be brief.");
    CHECK(got->created_ms == 1000);
    CHECK_FALSE(reopened.get_conversation(id + 1).has_value());
}

TEST_CASE("the database is in WAL mode with foreign keys enforced") {
    TempDir dir;
    const auto path = dir.file("history.db");
    HistoryStore store = HistoryStore::open(path);
    sqlite::Connection raw(path, 5000);
    sqlite::Statement mode(raw, "PRAGMA journal_mode");
    REQUIRE(mode.step());
    CHECK(mode.column_text(0) == "wal");
    CHECK(raw.query_int("PRAGMA application_id") == 0x48525448);
}

TEST_CASE("rename and update change fields and updated_ms; unknown ids are bad_request") {
    TempDir dir;
    HistoryStore store = HistoryStore::open(dir.file("h.db"), test::ticking_clock(50));
    const Conversation created = store.create_conversation({"old", "m1", "s1"});
    store.rename_conversation(created.id, "new title");
    Conversation got = *store.get_conversation(created.id);
    CHECK(got.title == "new title");
    CHECK(got.model == "m1");
    CHECK(got.updated_ms > created.updated_ms);
    CHECK(got.created_ms == created.created_ms);

    store.update_conversation(created.id, {"t2", "m2", "s2"});
    got = *store.get_conversation(created.id);
    CHECK(static_cast<const ConversationFields&>(got) == ConversationFields{"t2", "m2", "s2"});

    const std::int64_t missing = created.id + 100;
    CHECK_THROWS_AS(store.rename_conversation(missing, "x"), Error);
    try {
        store.update_conversation(missing, {});
        FAIL("no error");
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::bad_request);
    }
    CHECK(store.list_conversations().size() == 1);
}

TEST_CASE("delete removes the conversation and cascades to its messages only") {
    TempDir dir;
    const auto path = dir.file("h.db");
    HistoryStore store = HistoryStore::open(path);
    const Conversation doomed = store.create_conversation({"doomed", "", ""});
    const Conversation kept = store.create_conversation({"kept", "", ""});
    store.append_exchange(doomed.id, text_message(MessageRole::user, "hi"),
                          text_message(MessageRole::assistant, "hello"));
    store.append_message(kept.id, text_message(MessageRole::user, "stay"));
    CHECK(test::query_file(path, "SELECT count(*) FROM messages") == 3);

    CHECK(store.delete_conversation(doomed.id));
    CHECK_FALSE(store.delete_conversation(doomed.id));
    CHECK_FALSE(store.get_conversation(doomed.id).has_value());
    CHECK(test::query_file(path, "SELECT count(*) FROM messages") == 1);
    CHECK(store.list_messages(kept.id).at(0).content == "stay");
    CHECK_THROWS_AS(store.list_messages(doomed.id), Error);
}

TEST_CASE("list is most recently updated first, with limit and offset") {
    TempDir dir;
    HistoryStore store = HistoryStore::open(dir.file("h.db"), test::ticking_clock(10));
    const Conversation a = store.create_conversation({"a", "", ""});
    store.create_conversation({"b", "", ""});
    const Conversation c = store.create_conversation({"c", "", ""});
    CHECK(titles(store.list_conversations()) == std::vector<std::string>{"c", "b", "a"});

    store.append_message(a.id, text_message(MessageRole::user, "bump"));
    CHECK(titles(store.list_conversations()) == std::vector<std::string>{"a", "c", "b"});
    store.rename_conversation(c.id, "c2");
    CHECK(titles(store.list_conversations()) == std::vector<std::string>{"c2", "a", "b"});

    CHECK(titles(store.list_conversations({.limit = 2, .offset = 0})) == std::vector<std::string>{"c2", "a"});
    CHECK(titles(store.list_conversations({.limit = 2, .offset = 2})) == std::vector<std::string>{"b"});
    CHECK(store.list_conversations({.limit = 0, .offset = 0}).empty());
    CHECK_THROWS_AS(store.list_conversations({.limit = -1, .offset = 0}), Error);
}

TEST_CASE("equal update times fall back to the newer id") {
    TempDir dir;
    HistoryOptions frozen;
    frozen.clock_ms = [] { return std::int64_t{777}; };
    HistoryStore store = HistoryStore::open(dir.file("h.db"), frozen);
    store.create_conversation({"first", "", ""});
    store.create_conversation({"second", "", ""});
    CHECK(titles(store.list_conversations()) == std::vector<std::string>{"second", "first"});
}

TEST_CASE("search finds titles and message text, case-insensitively, with % and _ taken literally") {
    TempDir dir;
    HistoryStore store = HistoryStore::open(dir.file("h.db"), test::ticking_clock(0));
    const Conversation recipes = store.create_conversation({"Pasta Recipes", "", ""});
    const Conversation discount = store.create_conversation({"shopping", "", ""});
    store.append_message(discount.id, text_message(MessageRole::user, "Is 50% off a good deal?"));
    const Conversation snake = store.create_conversation({"code", "", ""});
    store.append_message(snake.id, text_message(MessageRole::assistant, "call my_function() twice"));
    store.create_conversation({"myXfunction and 50 percent", "", ""});
    store.create_conversation({R"(path C:\temp)", "", ""});

    CHECK(titles(store.search_conversations("pasta")) == std::vector<std::string>{"Pasta Recipes"});
    CHECK(titles(store.search_conversations("GOOD DEAL")) == std::vector<std::string>{"shopping"});
    // Unescaped, "50%" would also match "50 percent" and "my_f" would match "myXf".
    CHECK(titles(store.search_conversations("50%")) == std::vector<std::string>{"shopping"});
    CHECK(titles(store.search_conversations("my_f")) == std::vector<std::string>{"code"});
    CHECK(titles(store.search_conversations("%")) == std::vector<std::string>{"shopping"});
    CHECK(titles(store.search_conversations(R"(C:\t)")) == std::vector<std::string>{R"(path C:\temp)"});
    CHECK(store.search_conversations("nowhere").empty());
    CHECK(store.search_conversations("").size() == 5);
    // Matches in several messages list the conversation once; order is by update time.
    store.append_message(recipes.id, text_message(MessageRole::user, "percent: 50% more salt"));
    store.append_message(recipes.id, text_message(MessageRole::assistant, "50% is a lot"));
    CHECK(titles(store.search_conversations("50%")) == std::vector<std::string>{"Pasta Recipes", "shopping"});
    CHECK(store.search_conversations("50%", {.limit = 1, .offset = 1}).at(0).id == discount.id);
}

}  // namespace
}  // namespace hearth
