// A writer process killed with SIGKILL at a random moment: every exchange it reported as
// committed is there, whole, and no exchange is there with only one side.
#include <doctest/doctest.h>

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <set>

#include "tests/history/history_test_util.h"

namespace hearth {
namespace {

using test::TempDir;
using test::text_message;

// Several KB per message, so one exchange spans many pages and a kill can land inside it.
std::string body(const char* side, std::int64_t n) {
    return std::string(side) + std::to_string(n) + "|" + std::string(1000 + static_cast<std::size_t>(n % 7) * 700, 'x');
}

// The child: appends exchanges until killed, reporting each committed user-message id.
[[noreturn]] void write_until_killed(const std::filesystem::path& path, std::int64_t conversation_id, int report_fd) {
    try {
        HistoryStore store = HistoryStore::open(path);
        // Earlier rounds left whole exchanges only, so the numbering continues from there.
        for (auto n = static_cast<std::int64_t>(store.list_messages(conversation_id).size() / 2);; ++n) {
            const Exchange exchange = store.append_exchange(
                conversation_id, text_message(MessageRole::user, body("q", n)),
                text_message(MessageRole::assistant, body("a", n)));
            // 8 bytes is below PIPE_BUF, so each report arrives whole.
            if (::write(report_fd, &exchange.user.id, sizeof exchange.user.id) != sizeof exchange.user.id) _exit(2);
        }
    } catch (...) {
        _exit(3);
    }
}

constexpr std::size_t min_reports = 6;  // enough exchanges for a round to mean something

// Reads the child's reports until `run_for` has passed and at least min_reports arrived (a busy
// machine may start the child late), 5 s at most; the rest is drained after the kill.
void read_reports(int fd, std::chrono::milliseconds run_for, std::string& bytes) {
    using Clock = std::chrono::steady_clock;
    const Clock::time_point start = Clock::now();
    const auto enough = [&] {
        return Clock::now() - start >= run_for && bytes.size() >= min_reports * sizeof(std::int64_t);
    };
    char buffer[4096];
    while (!enough() && Clock::now() - start < std::chrono::seconds(5)) {
        pollfd poll_fd{fd, POLLIN, 0};
        if (::poll(&poll_fd, 1, 10) <= 0) continue;
        const ssize_t got = ::read(fd, buffer, sizeof buffer);
        if (got <= 0) return;
        bytes.append(buffer, static_cast<std::size_t>(got));
    }
}

void drain(int fd, std::string& bytes) {
    char buffer[4096];
    ssize_t got = 0;
    while ((got = ::read(fd, buffer, sizeof buffer)) > 0) bytes.append(buffer, static_cast<std::size_t>(got));
}

std::set<std::int64_t> decode_ids(const std::string& bytes) {
    std::set<std::int64_t> ids;
    for (std::size_t at = 0; at + sizeof(std::int64_t) <= bytes.size(); at += sizeof(std::int64_t)) {
        std::int64_t id = 0;
        std::memcpy(&id, bytes.data() + at, sizeof id);
        ids.insert(id);
    }
    return ids;
}

std::string integrity_check(const std::filesystem::path& path) {
    sqlite::Connection db(path, 5000);
    sqlite::Statement check(db, "PRAGMA integrity_check");
    return check.step() ? check.column_text(0) : "no result";
}

// One round: a child writes for `run_for`, is killed, and the file is checked.
void kill_writer_and_check(const std::filesystem::path& path, std::int64_t conversation_id,
                           std::chrono::milliseconds run_for) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(fds[0]);
        write_until_killed(path, conversation_id, fds[1]);
    }
    ::close(fds[1]);
    std::string reports;
    read_reports(fds[0], run_for, reports);
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    drain(fds[0], reports);
    ::close(fds[0]);
    REQUIRE_MESSAGE(WIFSIGNALED(status), "the writer stopped by itself, status " << status);
    CHECK(WTERMSIG(status) == SIGKILL);

    CHECK(integrity_check(path) == "ok");
    const std::set<std::int64_t> reported = decode_ids(reports);
    REQUIRE(reported.size() >= min_reports);
    const std::vector<Message> messages = HistoryStore::open(path).list_messages(conversation_id);
    REQUIRE(messages.size() % 2 == 0);
    std::set<std::int64_t> present;
    for (std::size_t i = 0; i < messages.size(); i += 2) {
        const Message& user = messages[i];
        const Message& assistant = messages[i + 1];
        CHECK(user.ordinal == static_cast<std::int64_t>(i));
        CHECK(user.role == MessageRole::user);
        CHECK(assistant.role == MessageRole::assistant);
        CHECK(user.content == body("q", static_cast<std::int64_t>(i / 2)));
        CHECK(assistant.content == body("a", static_cast<std::int64_t>(i / 2)));
        present.insert(user.id);
    }
    for (const std::int64_t id : reported) CHECK(present.count(id) == 1);
}

TEST_CASE("writers killed mid-stream leave only whole exchanges, all the reported ones among them") {
    TempDir dir;
    const auto path = dir.file("crash.db");
    const std::int64_t conversation_id = HistoryStore::open(path).create_conversation({"crash", "", ""}).id;
    // Several short rounds: each kill lands at a different point of a transaction.
    for (int round = 0; round < 4; ++round) {
        CAPTURE(round);
        kill_writer_and_check(path, conversation_id, std::chrono::milliseconds(80));
    }
}

}  // namespace
}  // namespace hearth
