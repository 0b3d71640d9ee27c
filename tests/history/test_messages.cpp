// Messages: append, exchanges, every field stored, edit, truncate; settings.
#include <doctest/doctest.h>

#include <functional>
#include <limits>

#include "core/error.h"
#include "tests/history/history_test_util.h"

namespace hearth {
namespace {

using test::TempDir;
using test::text_message;
using namespace std::string_literals;

MessageFields measured_reply() {
    MessageFields fields = text_message(MessageRole::assistant, "Paris.\nIt has \xC3\xA9 and a \0 byte"s);
    fields.model = "llama-3.2-1b-q4_k_m";
    fields.sampling_json = R"({"temperature":0.7,"top_p":0.9,"seed":42})";
    fields.prompt_tokens = 31;
    fields.completion_tokens = 12;
    fields.time_to_first_token_ms = 85.25;
    fields.tokens_per_second = 41.5;
    return fields;
}

ErrorKind error_kind_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const Error& error) {
        return error.kind();
    }
    FAIL("no error thrown");
    return ErrorKind::internal;
}

TEST_CASE("appended messages get consecutive ordinals and keep every field") {
    TempDir dir;
    HistoryStore store = HistoryStore::open(dir.file("h.db"), test::ticking_clock(100));
    const Conversation conversation = store.create_conversation({"geo", "", ""});
    const Message question = store.append_message(conversation.id, text_message(MessageRole::user, "Capital?"));
    const Message answer = store.append_message(conversation.id, measured_reply());
    const Message tool = store.append_message(conversation.id, text_message(MessageRole::tool, "{\"ok\":1}"));

    CHECK(question.ordinal == 0);
    CHECK(answer.ordinal == 1);
    CHECK(tool.ordinal == 2);
    CHECK(answer.conversation_id == conversation.id);

    const std::vector<Message> listed = store.list_messages(conversation.id);
    REQUIRE(listed.size() == 3);
    CHECK(listed[0] == question);
    CHECK(listed[1] == answer);
    CHECK(listed[2] == tool);
    CHECK(static_cast<const MessageFields&>(listed[1]) == measured_reply());
    CHECK(listed[1].content.size() == measured_reply().content.size());
    CHECK_FALSE(listed[0].time_to_first_token_ms.has_value());
    CHECK(listed[0].sampling_json == "{}");
    CHECK(listed[0].prompt_tokens == 0);

    const Conversation after = *store.get_conversation(conversation.id);
    CHECK(after.updated_ms == tool.created_ms);
    CHECK(after.updated_ms > conversation.updated_ms);
}

TEST_CASE("an exchange writes both sides with adjacent ordinals and checks their roles") {
    TempDir dir;
    HistoryStore store = HistoryStore::open(dir.file("h.db"));
    const Conversation conversation = store.create_conversation({"x", "", ""});
    store.append_message(conversation.id, text_message(MessageRole::system, "sys"));
    const Exchange exchange = store.append_exchange(conversation.id, text_message(MessageRole::user, "q"),
                                                    measured_reply());
    CHECK(exchange.user.ordinal == 1);
    CHECK(exchange.assistant.ordinal == 2);
    CHECK(store.list_messages(conversation.id).back() == exchange.assistant);

    CHECK(error_kind_of([&] {
              store.append_exchange(conversation.id, text_message(MessageRole::assistant, "a"),
                                    text_message(MessageRole::user, "q"));
          }) == ErrorKind::bad_request);
    CHECK(error_kind_of([&] {
              store.append_exchange(conversation.id + 9, text_message(MessageRole::user, "q"), measured_reply());
          }) == ErrorKind::bad_request);
    CHECK(store.list_messages(conversation.id).size() == 3);
}

TEST_CASE("invalid message fields are bad_request and write nothing") {
    TempDir dir;
    const auto path = dir.file("h.db");
    HistoryStore store = HistoryStore::open(path);
    const Conversation conversation = store.create_conversation({"x", "", ""});
    const Conversation before = *store.get_conversation(conversation.id);

    MessageFields negative = measured_reply();
    negative.completion_tokens = -1;
    MessageFields not_object = measured_reply();
    not_object.sampling_json = "[1,2]";
    MessageFields not_json = measured_reply();
    not_json.sampling_json = "{temperature: 1}";
    MessageFields infinite = measured_reply();
    infinite.tokens_per_second = std::numeric_limits<double>::infinity();
    for (const MessageFields& fields : {negative, not_object, not_json, infinite}) {
        CHECK(error_kind_of([&] { store.append_message(conversation.id, fields); }) == ErrorKind::bad_request);
        CHECK(error_kind_of([&] {
                  store.append_exchange(conversation.id, text_message(MessageRole::user, "q"), fields);
              }) == ErrorKind::bad_request);
    }
    CHECK(error_kind_of([&] { store.append_message(conversation.id + 1, measured_reply()); }) ==
          ErrorKind::bad_request);
    CHECK(test::query_file(path, "SELECT count(*) FROM messages") == 0);
    CHECK(*store.get_conversation(conversation.id) == before);
}

TEST_CASE("edit changes one message's content") {
    TempDir dir;
    HistoryStore store = HistoryStore::open(dir.file("h.db"), test::ticking_clock(0));
    const Conversation conversation = store.create_conversation({"x", "", ""});
    const Exchange exchange = store.append_exchange(conversation.id, text_message(MessageRole::user, "typo"),
                                                    text_message(MessageRole::assistant, "reply"));
    const std::int64_t updated_before = store.get_conversation(conversation.id)->updated_ms;
    store.edit_message(exchange.user.id, "fixed");
    const std::vector<Message> messages = store.list_messages(conversation.id);
    CHECK(messages[0].content == "fixed");
    CHECK(messages[0].ordinal == 0);
    CHECK(messages[1].content == "reply");
    CHECK(store.get_conversation(conversation.id)->updated_ms > updated_before);
    CHECK(error_kind_of([&] { store.edit_message(exchange.assistant.id + 50, "x"); }) == ErrorKind::bad_request);
}

TEST_CASE("truncating from an ordinal deletes that message and all later ones, then appends continue") {
    TempDir dir;
    HistoryStore store = HistoryStore::open(dir.file("h.db"));
    const Conversation conversation = store.create_conversation({"x", "", ""});
    const Conversation other = store.create_conversation({"other", "", ""});
    for (int i = 0; i < 6; ++i) {
        store.append_message(conversation.id, text_message(i % 2 ? MessageRole::assistant : MessageRole::user,
                                                           std::to_string(i)));
    }
    store.append_message(other.id, text_message(MessageRole::user, "untouched"));

    CHECK(store.truncate_messages(conversation.id, 3) == 3);
    CHECK(store.truncate_messages(conversation.id, 10) == 0);
    std::vector<Message> messages = store.list_messages(conversation.id);
    REQUIRE(messages.size() == 3);
    CHECK(messages.back().content == "2");

    // Regenerate: the next message takes the first free ordinal.
    const Message regenerated = store.append_message(conversation.id, text_message(MessageRole::assistant, "3'"));
    CHECK(regenerated.ordinal == 3);
    CHECK(store.list_messages(other.id).size() == 1);
    CHECK(store.truncate_messages(conversation.id, 0) == 4);
    CHECK(store.list_messages(conversation.id).empty());
    CHECK(error_kind_of([&] { store.truncate_messages(conversation.id, -1); }) == ErrorKind::bad_request);
    CHECK(error_kind_of([&] { store.truncate_messages(other.id + 5, 0); }) == ErrorKind::bad_request);
}

TEST_CASE("settings are kept between opens and can be erased") {
    TempDir dir;
    const auto path = dir.file("h.db");
    {
        HistoryStore store = HistoryStore::open(path);
        CHECK_FALSE(store.get_setting("theme").has_value());
        store.set_setting("theme", "dark");
        store.set_setting("theme", "light");
        store.set_setting("last_model", "/models/qwen.gguf");
        CHECK(error_kind_of([&] { store.set_setting("", "x"); }) == ErrorKind::bad_request);
    }
    HistoryStore store = HistoryStore::open(path);
    CHECK(store.get_setting("theme") == "light");
    CHECK(store.get_setting("last_model") == "/models/qwen.gguf");
    CHECK(store.erase_setting("theme"));
    CHECK_FALSE(store.erase_setting("theme"));
    CHECK_FALSE(store.get_setting("theme").has_value());
    CHECK(store.get_setting("last_model").has_value());
}

}  // namespace
}  // namespace hearth
