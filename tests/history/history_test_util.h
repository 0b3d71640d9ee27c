#pragma once
// Helpers of the history-store tests: a deterministic clock and raw reads
// of a database file.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "app/history/history_store.h"
#include "app/history/sqlite_db.h"
#include "tests/temp_dir.h"

namespace hearth::test {

// Options whose clock starts at `start_ms` and advances 1 ms per reading, so every timestamp
// differs and orderings are predictable.
inline HistoryOptions ticking_clock(std::int64_t start_ms) {
    auto now = std::make_shared<std::atomic<std::int64_t>>(start_ms);
    HistoryOptions options;
    options.clock_ms = [now] { return now->fetch_add(1); };
    return options;
}

// One integer from a query on the file, through a connection of its own.
inline std::int64_t query_file(const std::filesystem::path& path, const std::string& sql) {
    sqlite::Connection db(path, 5000);
    return db.query_int(sql);
}

inline std::string file_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline MessageFields text_message(MessageRole role, std::string content) {
    MessageFields fields;
    fields.role = role;
    fields.content = std::move(content);
    return fields;
}

}  // namespace hearth::test
