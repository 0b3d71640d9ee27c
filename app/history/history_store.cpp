// Opening the store, and the settings table.
#include "app/history/history_store.h"

#include "app/history/history_impl.h"
#include "app/history/schema.h"
#include "core/error.h"

namespace hearth {

namespace {

std::int64_t system_clock_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Connection settings; set only after check_history_database, so a foreign file stays as it is.
void configure_connection(sqlite::Connection& db) {
    const bool wal = db.query_text_waiting("PRAGMA journal_mode = WAL") == "wal";
    require(wal, ErrorKind::io, db.path().string() + ": the file system does not support SQLite's WAL mode");
    // In WAL mode NORMAL loses no committed transaction when a process dies, only on power loss.
    db.exec("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
}

void require_key(std::string_view key) {
    require(!key.empty(), ErrorKind::bad_request, "a setting needs a non-empty key");
}

}  // namespace

HistoryStore::Impl::Impl(const std::filesystem::path& path, HistoryOptions history_options)
    : options(std::move(history_options)), db(path, static_cast<int>(options.busy_timeout.count())) {
    history::check_history_database(db);
    configure_connection(db);
    history::migrate_to(db, history::latest_schema_version());
    schema_version = static_cast<int>(db.query_int("PRAGMA user_version"));
}

std::int64_t HistoryStore::Impl::now_ms() const {
    return options.clock_ms ? options.clock_ms() : system_clock_ms();
}

HistoryStore HistoryStore::open(const std::filesystem::path& path, HistoryOptions options) {
    return HistoryStore(std::make_unique<Impl>(path, std::move(options)));
}

HistoryStore::HistoryStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HistoryStore::HistoryStore(HistoryStore&&) noexcept = default;
HistoryStore& HistoryStore::operator=(HistoryStore&&) noexcept = default;
HistoryStore::~HistoryStore() = default;

int HistoryStore::schema_version() const { return impl_->schema_version; }

const std::filesystem::path& HistoryStore::path() const { return impl_->db.path(); }

std::optional<std::string> HistoryStore::get_setting(std::string_view key) const {
    require_key(key);
    const auto guard = impl_->lock();
    sqlite::Statement select(impl_->db, "SELECT value FROM settings WHERE key = ?1");
    select.bind(1, key);
    if (!select.step()) return std::nullopt;
    return select.column_text(0);
}

void HistoryStore::set_setting(std::string_view key, std::string_view value) {
    require_key(key);
    const auto guard = impl_->lock();
    // A single statement is its own transaction.
    sqlite::Statement upsert(impl_->db,
                             "INSERT INTO settings (key, value) VALUES (?1, ?2) "
                             "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    upsert.bind(1, key).bind(2, value).run();
}

bool HistoryStore::erase_setting(std::string_view key) {
    require_key(key);
    const auto guard = impl_->lock();
    sqlite::Statement erase(impl_->db, "DELETE FROM settings WHERE key = ?1");
    erase.bind(1, key).run();
    return impl_->db.changes() > 0;
}

}  // namespace hearth
