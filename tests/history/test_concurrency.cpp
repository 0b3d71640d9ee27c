// Several writers at once: threads sharing one store, and stores of their own on one file.
#include <doctest/doctest.h>

#include <latch>
#include <map>
#include <thread>

#include "app/history/schema.h"
#include "tests/history/history_test_util.h"

namespace hearth {
namespace {

using test::TempDir;
using test::text_message;

constexpr int writer_count = 4;

// "w<writer>:<n>" for the n-th message of a writer.
std::string tagged(int writer, int n) {
    std::string tag = "w";  // appended piecewise: GCC 12 warns falsely (-Wrestrict) on "w" + string
    tag += std::to_string(writer);
    tag += ':';
    tag += std::to_string(n);
    return tag;
}

std::pair<int, int> parse_tag(const std::string& content) {
    const std::size_t colon = content.find(':');
    return {std::stoi(content.substr(1, colon - 1)), std::stoi(content.substr(colon + 1))};
}

// Ordinals run 0..n-1 without gaps and every writer's messages appear in the order it wrote them.
void check_interleaving(const std::vector<Message>& messages, int per_writer) {
    REQUIRE(messages.size() == static_cast<std::size_t>(writer_count * per_writer));
    std::map<int, int> next_of_writer;
    for (std::size_t i = 0; i < messages.size(); ++i) {
        CHECK(messages[i].ordinal == static_cast<std::int64_t>(i));
        const auto [writer, n] = parse_tag(messages[i].content);
        CHECK(n == next_of_writer[writer]);
        next_of_writer[writer] = n + 1;
    }
    for (int writer = 0; writer < writer_count; ++writer) CHECK(next_of_writer[writer] == per_writer);
}

TEST_CASE("stores opened at the same moment on a new file all get a working database") {
    TempDir dir;
    const auto path = dir.file("fresh.db");
    std::latch start(writer_count);
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int writer = 0; writer < writer_count; ++writer) {
        threads.emplace_back([&, writer] {
            start.arrive_and_wait();
            try {
                HistoryStore store = HistoryStore::open(path);
                store.set_setting("writer" + std::to_string(writer), "here");
            } catch (const std::exception& error) {
                MESSAGE(std::string(error.what()));
                ++failures;
            }
        });
    }
    for (std::thread& thread : threads) thread.join();
    CHECK(failures == 0);
    HistoryStore store = HistoryStore::open(path);
    CHECK(store.schema_version() == history::latest_schema_version());
    for (int writer = 0; writer < writer_count; ++writer) {
        CHECK(store.get_setting("writer" + std::to_string(writer)) == "here");
    }
}

TEST_CASE("four stores on one file, one per thread, append 200 messages each") {
    constexpr int per_writer = 200;
    TempDir dir;
    const auto path = dir.file("shared.db");
    const std::int64_t conversation_id = HistoryStore::open(path).create_conversation({"busy", "", ""}).id;

    std::latch start(writer_count);
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int writer = 0; writer < writer_count; ++writer) {
        threads.emplace_back([&, writer] {
            try {
                HistoryStore store = HistoryStore::open(path);
                start.arrive_and_wait();
                for (int n = 0; n < per_writer; ++n) {
                    const MessageRole role = n % 2 ? MessageRole::assistant : MessageRole::user;
                    store.append_message(conversation_id, text_message(role, tagged(writer, n)));
                    if (n % 50 == 0) store.list_conversations();  // readers alongside the writers
                }
            } catch (const std::exception& error) {
                MESSAGE(std::string(error.what()));
                ++failures;
            }
        });
    }
    for (std::thread& thread : threads) thread.join();
    REQUIRE(failures == 0);
    check_interleaving(HistoryStore::open(path).list_messages(conversation_id), per_writer);
}

TEST_CASE("one store shared by four threads keeps each exchange together") {
    constexpr int exchanges_per_writer = 100;
    TempDir dir;
    HistoryStore store = HistoryStore::open(dir.file("one.db"));
    const std::int64_t conversation_id = store.create_conversation({"shared", "", ""}).id;

    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int writer = 0; writer < writer_count; ++writer) {
        threads.emplace_back([&, writer] {
            try {
                for (int n = 0; n < exchanges_per_writer; ++n) {
                    store.append_exchange(conversation_id, text_message(MessageRole::user, tagged(writer, 2 * n)),
                                          text_message(MessageRole::assistant, tagged(writer, 2 * n + 1)));
                    if (n % 25 == 0) store.search_conversations("shared");
                }
            } catch (const std::exception& error) {
                MESSAGE(std::string(error.what()));
                ++failures;
            }
        });
    }
    for (std::thread& thread : threads) thread.join();
    REQUIRE(failures == 0);
    const std::vector<Message> messages = store.list_messages(conversation_id);
    check_interleaving(messages, 2 * exchanges_per_writer);
    for (std::size_t i = 0; i + 1 < messages.size(); i += 2) {
        CHECK(messages[i].role == MessageRole::user);
        CHECK(parse_tag(messages[i + 1].content).first == parse_tag(messages[i].content).first);
    }
}

}  // namespace
}  // namespace hearth
