// Conversations: create, change, delete, get, list and search.
#include "app/history/history_impl.h"
#include "core/error.h"

namespace hearth {

namespace history {

namespace {

constexpr std::string_view select_conversation_columns =
    "SELECT id, title, model, system_prompt, created_ms, updated_ms FROM conversations ";

Conversation read_conversation(const sqlite::Statement& row) {
    Conversation conversation;
    conversation.id = row.column_int(0);
    conversation.title = row.column_text(1);
    conversation.model = row.column_text(2);
    conversation.system_prompt = row.column_text(3);
    conversation.created_ms = row.column_int(4);
    conversation.updated_ms = row.column_int(5);
    return conversation;
}

std::vector<Conversation> read_conversations(sqlite::Statement& select) {
    std::vector<Conversation> conversations;
    while (select.step()) conversations.push_back(read_conversation(select));
    return conversations;
}

void check_page(const Page& page) {
    require(page.limit >= 0 && page.offset >= 0, ErrorKind::bad_request,
            "a page needs limit >= 0 and offset >= 0");
}

std::string no_conversation(std::int64_t id) { return "no conversation " + std::to_string(id); }

// A LIKE pattern matching `text` anywhere, with LIKE's own characters taken literally
// (the statement says ESCAPE '\').
std::string contains_pattern(std::string_view text) {
    std::string pattern = "%";
    for (const char c : text) {
        if (c == '%' || c == '_' || c == '\\') pattern += '\\';
        pattern += c;
    }
    pattern += '%';
    return pattern;
}

}  // namespace

std::optional<Conversation> find_conversation(sqlite::Connection& db, std::int64_t id) {
    sqlite::Statement select(db, std::string(select_conversation_columns) + "WHERE id = ?1");
    select.bind(1, id);
    if (!select.step()) return std::nullopt;
    return read_conversation(select);
}

Conversation require_conversation(sqlite::Connection& db, std::int64_t id) {
    std::optional<Conversation> conversation = find_conversation(db, id);
    require(conversation.has_value(), ErrorKind::bad_request, no_conversation(id));
    return *conversation;
}

Conversation insert_conversation(sqlite::Connection& db, const Conversation& conversation) {
    sqlite::Statement insert(db,
                             "INSERT INTO conversations (title, model, system_prompt, created_ms, updated_ms) "
                             "VALUES (?1, ?2, ?3, ?4, ?5)");
    insert.bind(1, conversation.title)
        .bind(2, conversation.model)
        .bind(3, conversation.system_prompt)
        .bind(4, conversation.created_ms)
        .bind(5, conversation.updated_ms)
        .run();
    Conversation stored = conversation;
    stored.id = db.last_insert_rowid();
    return stored;
}

void touch_conversation(sqlite::Connection& db, std::int64_t id, std::int64_t now_ms) {
    // MAX keeps "most recently updated" ordering sane when the clock steps back.
    sqlite::Statement update(db, "UPDATE conversations SET updated_ms = MAX(updated_ms, ?2) WHERE id = ?1");
    update.bind(1, id).bind(2, now_ms).run();
    require(db.changes() == 1, ErrorKind::bad_request, no_conversation(id));
}

}  // namespace history

Conversation HistoryStore::create_conversation(const ConversationFields& fields) {
    const auto guard = impl_->lock();
    Conversation conversation;
    static_cast<ConversationFields&>(conversation) = fields;
    conversation.created_ms = conversation.updated_ms = impl_->now_ms();
    return history::insert_conversation(impl_->db, conversation);
}

void HistoryStore::rename_conversation(std::int64_t id, std::string_view title) {
    const auto guard = impl_->lock();
    sqlite::Transaction transaction(impl_->db, sqlite::TransactionKind::write);
    history::touch_conversation(impl_->db, id, impl_->now_ms());
    sqlite::Statement update(impl_->db, "UPDATE conversations SET title = ?2 WHERE id = ?1");
    update.bind(1, id).bind(2, title).run();
    transaction.commit();
}

void HistoryStore::update_conversation(std::int64_t id, const ConversationFields& fields) {
    const auto guard = impl_->lock();
    sqlite::Transaction transaction(impl_->db, sqlite::TransactionKind::write);
    history::touch_conversation(impl_->db, id, impl_->now_ms());
    sqlite::Statement update(impl_->db,
                             "UPDATE conversations SET title = ?2, model = ?3, system_prompt = ?4 WHERE id = ?1");
    update.bind(1, id).bind(2, fields.title).bind(3, fields.model).bind(4, fields.system_prompt).run();
    transaction.commit();
}

bool HistoryStore::delete_conversation(std::int64_t id) {
    const auto guard = impl_->lock();
    // foreign_keys = ON: the messages go with it (ON DELETE CASCADE), in the same statement.
    sqlite::Statement erase(impl_->db, "DELETE FROM conversations WHERE id = ?1");
    erase.bind(1, id).run();
    return impl_->db.changes() > 0;
}

std::optional<Conversation> HistoryStore::get_conversation(std::int64_t id) const {
    const auto guard = impl_->lock();
    return history::find_conversation(impl_->db, id);
}

std::vector<Conversation> HistoryStore::list_conversations(Page page) const {
    history::check_page(page);
    const auto guard = impl_->lock();
    sqlite::Statement select(impl_->db, std::string(history::select_conversation_columns) +
                                            "ORDER BY updated_ms DESC, id DESC LIMIT ?1 OFFSET ?2");
    select.bind(1, page.limit).bind(2, page.offset);
    return history::read_conversations(select);
}

std::vector<Conversation> HistoryStore::search_conversations(std::string_view text, Page page) const {
    history::check_page(page);
    const auto guard = impl_->lock();
    sqlite::Statement select(impl_->db, std::string(history::select_conversation_columns) +
                                            "AS c WHERE c.title LIKE ?1 ESCAPE '\\' OR EXISTS ("
                                            "SELECT 1 FROM messages AS m WHERE m.conversation_id = c.id "
                                            "AND m.content LIKE ?1 ESCAPE '\\') "
                                            "ORDER BY updated_ms DESC, id DESC LIMIT ?2 OFFSET ?3");
    select.bind(1, history::contains_pattern(text)).bind(2, page.limit).bind(3, page.offset);
    return history::read_conversations(select);
}

}  // namespace hearth
