// Export to JSON and import as a new conversation; malformed imports change nothing.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "tests/history/history_test_util.h"

namespace hearth {
namespace {

using test::TempDir;
using test::text_message;

// A conversation with every kind of field set, some timings absent.
Conversation fill_conversation(HistoryStore& store) {
    const Conversation conversation =
        store.create_conversation({"Trip \"plans\" \xE2\x9C\x88", "gemma-3-1b", "You plan trips."});
    store.append_message(conversation.id, text_message(MessageRole::system, "You plan trips."));
    MessageFields reply = text_message(MessageRole::assistant, "Day 1: Lisbon.\n\tDay 2: Porto.");
    reply.model = "gemma-3-1b";
    reply.sampling_json = R"({"temperature":0.8,"min_p":0.05,"seed":7})";
    reply.prompt_tokens = 120;
    reply.completion_tokens = 48;
    reply.time_to_first_token_ms = 210.125;
    reply.tokens_per_second = 33.333333333333336;
    store.append_exchange(conversation.id, text_message(MessageRole::user, "Plan 2 days in Portugal"), reply);
    MessageFields tool = text_message(MessageRole::tool, R"({"weather":"sunny"})");
    tool.tokens_per_second = 0.0;
    store.append_message(conversation.id, tool);
    return *store.get_conversation(conversation.id);
}

std::int64_t row_count(const std::filesystem::path& path) {
    return test::query_file(path, "SELECT (SELECT count(*) FROM conversations) * 1000000 + "
                                  "(SELECT count(*) FROM messages)");
}

TEST_CASE("export then import gives an equal conversation with new ids") {
    TempDir dir;
    HistoryStore store = HistoryStore::open(dir.file("h.db"), test::ticking_clock(1'700'000'000'000));
    const Conversation original = fill_conversation(store);
    const std::string exported = store.export_conversation(original.id);

    const nlohmann::json json = nlohmann::json::parse(exported);
    CHECK(json["format"] == "hearth.conversation");
    CHECK(json["version"] == 1);
    CHECK(json["messages"].size() == 4);
    CHECK(json["messages"][2]["sampling"]["seed"] == 7);
    CHECK(json["messages"][0]["time_to_first_token_ms"].is_null());

    const Conversation imported = store.import_conversation(exported);
    CHECK(imported.id != original.id);
    Conversation same_id = imported;
    same_id.id = original.id;
    CHECK(same_id == original);

    const std::vector<Message> before = store.list_messages(original.id);
    const std::vector<Message> after = store.list_messages(imported.id);
    REQUIRE(after.size() == before.size());
    for (std::size_t i = 0; i < before.size(); ++i) {
        CAPTURE(i);
        CHECK(after[i].conversation_id == imported.id);
        CHECK(after[i].id != before[i].id);
        CHECK(after[i].ordinal == before[i].ordinal);
        CHECK(after[i].created_ms == before[i].created_ms);
        CHECK(static_cast<const MessageFields&>(after[i]) == static_cast<const MessageFields&>(before[i]));
    }
    CHECK(store.export_conversation(imported.id) == exported);
    CHECK_THROWS_AS(store.export_conversation(imported.id + 10), Error);
}

TEST_CASE("an import with only the required fields takes defaults") {
    TempDir dir;
    HistoryStore store = HistoryStore::open(dir.file("h.db"), test::ticking_clock(5000));
    const Conversation imported = store.import_conversation(R"({"format": "hearth.conversation", "version": 1,
        "title": "hand written", "messages": [{"role": "user", "content": "hi"}]})");
    CHECK(imported.title == "hand written");
    CHECK(imported.model.empty());
    CHECK(imported.created_ms == 5000);
    const std::vector<Message> messages = store.list_messages(imported.id);
    REQUIRE(messages.size() == 1);
    CHECK(messages[0].role == MessageRole::user);
    CHECK(messages[0].sampling_json == "{}");
    CHECK_FALSE(messages[0].tokens_per_second.has_value());
}

TEST_CASE("malformed imports are bad_request and leave the database as it was") {
    TempDir dir;
    const auto path = dir.file("h.db");
    HistoryStore store = HistoryStore::open(path);
    fill_conversation(store);
    const std::int64_t rows_before = row_count(path);
    const std::string head = R"({"format": "hearth.conversation", "version": 1, "title": "t", )";
    const std::string good_message = R"({"role": "user", "content": "q"})";
    const std::vector<std::string> cases = {
        "",
        "not json",
        R"({"format": "hearth.conversation", "version": 1, "title": "t", "messages": [)",
        "[]",
        R"({"version": 1, "title": "t", "messages": []})",
        R"({"format": "other.app", "version": 1, "title": "t", "messages": []})",
        R"({"format": "hearth.conversation", "title": "t", "messages": []})",
        R"({"format": "hearth.conversation", "version": 2, "title": "t", "messages": []})",
        R"({"format": "hearth.conversation", "version": "1", "title": "t", "messages": []})",
        R"({"format": "hearth.conversation", "version": 1, "messages": []})",
        head + R"("messages": {}})",
        head + R"("model": 3, "messages": []})",
        head + R"("created_ms": 1.5, "messages": []})",
        head + R"("updated_ms": 18446744073709551615, "messages": []})",
        head + R"("system_prompt": null, "messages": []})",
        head + R"("messages": [)" + good_message + R"(, 5]})",
        head + R"("messages": [)" + good_message + R"(, {"content": "no role"}]})",
        head + R"("messages": [{"role": "wizard", "content": "x"}]})",
        head + R"("messages": [{"role": "user"}]})",
        head + R"("messages": [{"role": "user", "content": null}]})",
        head + R"("messages": [{"role": "user", "content": "x", "prompt_tokens": -1}]})",
        head + R"("messages": [{"role": "user", "content": "x", "completion_tokens": "3"}]})",
        head + R"("messages": [{"role": "user", "content": "x", "sampling": "temperature=1"}]})",
        head + R"("messages": [{"role": "user", "content": "x", "time_to_first_token_ms": "fast"}]})",
        head + R"("messages": [{"role": "user", "content": "x", "tokens_per_second": -2.5}]})",
        head + R"("messages": [{"role": "user", "content": "x", "created_ms": true}]})",
        head + R"("messages": [)" + good_message + "]}" + "trailing",
        head + R"("messages": [)" + std::string(100, '[') + std::string(100, ']') + "]}",
        head + "\"messages\": [{\"role\": \"user\", \"content\": \"bad \xFF utf-8\"}]}",
    };
    for (std::size_t i = 0; i < cases.size(); ++i) {
        CAPTURE(i);
        CAPTURE(cases[i]);
        try {
            store.import_conversation(cases[i]);
            FAIL("imported");
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::bad_request);
        }
        CHECK(row_count(path) == rows_before);
    }
    // The same document with the bad parts fixed imports, so the cases above fail for their flaw.
    store.import_conversation(head + R"("messages": [)" + good_message + "]}");
    CHECK(row_count(path) == rows_before + 1'000'001);
}

}  // namespace
}  // namespace hearth
