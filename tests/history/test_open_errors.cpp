// Files the store must refuse, untouched: not SQLite, another program's database, a newer schema.
#include <doctest/doctest.h>

#include "app/history/schema.h"
#include "core/error.h"
#include "tests/history/history_test_util.h"

namespace hearth {
namespace {

using test::TempDir;

// Opens `path`, expecting Error(kind) whose message names the file; returns the message.
std::string open_error(const std::filesystem::path& path, ErrorKind kind) {
    try {
        HistoryStore::open(path);
    } catch (const Error& error) {
        CHECK(error.kind() == kind);
        CHECK(std::string(error.what()).find(path.string()) != std::string::npos);
        return error.what();
    }
    FAIL("opened");
    return {};
}

void write_file(const std::filesystem::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
}

TEST_CASE("a file that is not SQLite is bad_file and left byte for byte") {
    TempDir dir;
    const auto path = dir.file("notes.db");
    std::string bytes = "These are my notes, not a database.\n";
    for (int i = 0; i < 200; ++i) bytes += "line " + std::to_string(i) + "\n";
    write_file(path, bytes);
    open_error(path, ErrorKind::bad_file);
    CHECK(test::file_bytes(path) == bytes);
    CHECK_FALSE(std::filesystem::exists(dir.file("notes.db-wal")));
    CHECK_FALSE(std::filesystem::exists(dir.file("notes.db-journal")));
}

TEST_CASE("another program's SQLite database is bad_file and left byte for byte") {
    TempDir dir;
    const auto path = dir.file("other.db");
    {
        sqlite::Connection db(path, 5000);
        db.exec("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('Ada');");
    }
    const std::string bytes = test::file_bytes(path);
    const std::string message = open_error(path, ErrorKind::bad_file);
    CHECK(message.find("not a Hearth history database") != std::string::npos);
    CHECK(test::file_bytes(path) == bytes);
}

TEST_CASE("a history database with a newer schema version is bad_file and left byte for byte") {
    TempDir dir;
    const auto path = dir.file("future.db");
    { HistoryStore::open(path).create_conversation({"from the future", "", ""}); }
    {
        sqlite::Connection db(path, 5000);
        db.exec("PRAGMA user_version = " + std::to_string(history::latest_schema_version() + 1));
    }
    const std::string bytes = test::file_bytes(path);
    REQUIRE_FALSE(bytes.empty());
    const std::string message = open_error(path, ErrorKind::bad_file);
    CHECK(message.find("newer") != std::string::npos);
    CHECK(test::file_bytes(path) == bytes);
    CHECK(test::query_file(path, "PRAGMA user_version") == history::latest_schema_version() + 1);
}

TEST_CASE("a path that cannot be created is io") {
    TempDir dir;
    open_error(dir.file("missing-dir") / "history.db", ErrorKind::io);
}

TEST_CASE("an empty file becomes a new history database") {
    TempDir dir;
    const auto path = dir.file("empty.db");
    write_file(path, "");
    HistoryStore store = HistoryStore::open(path);
    CHECK(store.schema_version() == history::latest_schema_version());
}

}  // namespace
}  // namespace hearth
