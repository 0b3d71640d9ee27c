#pragma once
// A thin RAII layer over the SQLite C API: one connection, prepared statements, transactions.
// Every SQLite failure becomes hearth::Error naming the database file; "not a database" and
// corruption are bad_file, everything else is io.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace hearth::sqlite {

class Connection {
public:
    // Opens (creating when absent) the database file. Reads nothing yet: a foreign file is
    // only noticed, untouched, by the first statement.
    Connection(const std::filesystem::path& path, int busy_timeout_ms);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Runs one or more statements that take no parameters; result rows are ignored.
    void exec(std::string_view sql);
    // The first column of the first row of a parameterless query, as an integer.
    std::int64_t query_int(std::string_view sql);
    // The same as text, retrying while the database is busy, up to the busy timeout. For the
    // few statements SQLite's busy handler does not wait for: those that must upgrade the
    // read lock they took themselves, such as switching a new file to WAL mode.
    std::string query_text_waiting(std::string_view sql);

    std::int64_t last_insert_rowid() const;
    // Rows changed by the most recent INSERT, UPDATE or DELETE.
    std::int64_t changes() const;
    const std::filesystem::path& path() const { return path_; }

    // Throws the Error for result code `rc`, with the connection's message.
    [[noreturn]] void fail(int rc) const;
    sqlite3* handle() const { return db_; }

private:
    std::filesystem::path path_;
    int busy_timeout_ms_;
    sqlite3* db_ = nullptr;
};

class Statement {
public:
    Statement(Connection& connection, std::string_view sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    // Parameters are numbered from 1, as in SQL's ?1.
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, std::string_view text);
    Statement& bind(int index, std::optional<double> value);

    // Advances to the next row: true when one is available, false when the statement is done.
    bool step();
    // Runs a statement that returns no rows (or whose rows are not needed).
    void run();

    std::int64_t column_int(int column) const;
    std::string column_text(int column) const;
    std::optional<double> column_optional_real(int column) const;

private:
    Connection& connection_;
    sqlite3_stmt* stmt_ = nullptr;
};

enum class TransactionKind {
    read,   // a consistent snapshot for several reads (BEGIN DEFERRED)
    write,  // takes the write lock at once (BEGIN IMMEDIATE), so the busy timeout applies
            // up front and a read never has to be upgraded into a write under contention
};

// Rolls back unless commit() was called, so an exception never leaves half a write.
class Transaction {
public:
    Transaction(Connection& connection, TransactionKind kind);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    void commit();

private:
    Connection& connection_;
    bool finished_ = false;
};

}  // namespace hearth::sqlite
