#include "app/history/sqlite_db.h"

#include <sqlite3.h>

#include <chrono>
#include <memory>
#include <thread>

#include "core/error.h"

namespace hearth::sqlite {

namespace {

ErrorKind error_kind_for(int rc) {
    const int primary = rc & 0xff;
    if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT) return ErrorKind::bad_file;
    return ErrorKind::io;
}

}  // namespace

Connection::Connection(const std::filesystem::path& path, int busy_timeout_ms)
    : path_(path), busy_timeout_ms_(busy_timeout_ms) {
    // NOMUTEX: HistoryStore serialises every use of a connection with its own mutex.
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        const std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close(db_);
        db_ = nullptr;
        throw Error(error_kind_for(rc), path_.string() + ": " + message);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, busy_timeout_ms);
}

Connection::~Connection() { sqlite3_close_v2(db_); }

void Connection::fail(int rc) const {
    throw Error(error_kind_for(rc), path_.string() + ": " + sqlite3_errmsg(db_));
}

void Connection::exec(std::string_view sql) {
    const std::string text(sql);
    const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) fail(rc);
}

std::int64_t Connection::query_int(std::string_view sql) {
    Statement statement(*this, sql);
    if (!statement.step()) throw Error(ErrorKind::internal, path_.string() + ": no row from " + std::string(sql));
    return statement.column_int(0);
}

std::string Connection::query_text_waiting(std::string_view sql) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_timeout_ms_);
    for (;;) {
        sqlite3_stmt* raw = nullptr;
        int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
        const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> statement(raw, sqlite3_finalize);
        if (rc == SQLITE_OK) rc = sqlite3_step(raw);
        if (rc == SQLITE_ROW) {
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, 0));
            return text ? text : "";
        }
        const bool busy = (rc & 0xff) == SQLITE_BUSY;
        if (!busy || std::chrono::steady_clock::now() >= deadline) fail(rc);
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

std::int64_t Connection::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

std::int64_t Connection::changes() const { return sqlite3_changes(db_); }

Statement::Statement(Connection& connection, std::string_view sql) : connection_(connection) {
    const int rc = sqlite3_prepare_v2(connection.handle(), sql.data(), static_cast<int>(sql.size()), &stmt_,
                                      nullptr);
    if (rc != SQLITE_OK) connection.fail(rc);
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind(int index, std::int64_t value) {
    const int rc = sqlite3_bind_int64(stmt_, index, value);
    if (rc != SQLITE_OK) connection_.fail(rc);
    return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
    // An explicit length keeps embedded NUL bytes; SQLITE_TRANSIENT copies the text.
    const int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    if (rc != SQLITE_OK) connection_.fail(rc);
    return *this;
}

Statement& Statement::bind(int index, std::optional<double> value) {
    const int rc = value ? sqlite3_bind_double(stmt_, index, *value) : sqlite3_bind_null(stmt_, index);
    if (rc != SQLITE_OK) connection_.fail(rc);
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    connection_.fail(rc);
}

void Statement::run() {
    while (step()) {
    }
}

std::int64_t Statement::column_int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::column_text(int column) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    const int bytes = sqlite3_column_bytes(stmt_, column);
    return text ? std::string(text, static_cast<std::size_t>(bytes)) : std::string();
}

std::optional<double> Statement::column_optional_real(int column) const {
    if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_double(stmt_, column);
}

Transaction::Transaction(Connection& connection, TransactionKind kind) : connection_(connection) {
    connection_.exec(kind == TransactionKind::write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
}

Transaction::~Transaction() {
    // Errors are ignored here: a failed ROLLBACK means SQLite already rolled back.
    if (!finished_) sqlite3_exec(connection_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
    connection_.exec("COMMIT");
    finished_ = true;
}

}  // namespace hearth::sqlite
