#pragma once
// The history database's schema as an ordered list of migrations. Version N of Hearth created
// its databases by applying migrations 1..N; a database is brought up to date by applying the
// ones it lacks, each in its own transaction. A released migration is never edited: a change
// is a new migration, so databases written by every earlier version stay readable.
#include <span>
#include <string_view>

#include "app/history/sqlite_db.h"

namespace hearth::history {

struct SchemaMigration {
    int version;               // PRAGMA user_version once this step is applied
    std::string_view summary;  // what the step adds, for people reading the code
    std::string_view sql;      // the DDL (and data moves) of the step
};

// Every migration in order; migration i has version i + 1.
std::span<const SchemaMigration> schema_migrations();
int latest_schema_version();

// PRAGMA application_id of a Hearth history database ("HRTH").
inline constexpr int history_application_id = 0x48525448;

// Checks that the file is an empty database or a Hearth history database this code can read,
// before anything is written to it; Error(bad_file) otherwise. Returns its schema version
// (0 when empty).
int check_history_database(sqlite::Connection& db);

// Applies the migrations from the database's version up to `target_version`, one transaction
// each. Safe when other connections migrate the same file at the same time. Tests use it to
// build a database exactly as an older Hearth wrote it.
void migrate_to(sqlite::Connection& db, int target_version);

}  // namespace hearth::history
