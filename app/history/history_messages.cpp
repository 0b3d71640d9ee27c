// Messages: append (one or an exchange), list, edit and truncate.
#include "app/history/history_impl.h"
#include "core/error.h"

namespace hearth {

namespace history {

namespace {

constexpr std::string_view select_message_columns =
    "SELECT id, conversation_id, ordinal, role, content, model, sampling_json, prompt_tokens, "
    "completion_tokens, time_to_first_token_ms, tokens_per_second, created_ms FROM messages ";

MessageRole read_role(const sqlite::Statement& row, int column) {
    const std::string role = row.column_text(column);
    try {
        return parse_message_role(role);
    } catch (const Error&) {
        // The schema's CHECK forbids this, so the file was changed behind Hearth's back.
        throw Error(ErrorKind::bad_file, "stored message has an unknown role \"" + role + "\"");
    }
}

Message read_message(const sqlite::Statement& row) {
    Message message;
    message.id = row.column_int(0);
    message.conversation_id = row.column_int(1);
    message.ordinal = row.column_int(2);
    message.role = read_role(row, 3);
    message.content = row.column_text(4);
    message.model = row.column_text(5);
    message.sampling_json = row.column_text(6);
    message.prompt_tokens = row.column_int(7);
    message.completion_tokens = row.column_int(8);
    message.time_to_first_token_ms = row.column_optional_real(9);
    message.tokens_per_second = row.column_optional_real(10);
    message.created_ms = row.column_int(11);
    return message;
}

Message new_message(std::int64_t conversation_id, const MessageFields& fields, std::int64_t ordinal,
                    std::int64_t now_ms) {
    Message message;
    static_cast<MessageFields&>(message) = fields;
    message.conversation_id = conversation_id;
    message.ordinal = ordinal;
    message.created_ms = now_ms;
    return message;
}

std::int64_t conversation_of_message(sqlite::Connection& db, std::int64_t message_id) {
    sqlite::Statement select(db, "SELECT conversation_id FROM messages WHERE id = ?1");
    select.bind(1, message_id);
    require(select.step(), ErrorKind::bad_request, "no message " + std::to_string(message_id));
    return select.column_int(0);
}

}  // namespace

Message insert_message(sqlite::Connection& db, const Message& message) {
    sqlite::Statement insert(db,
                             "INSERT INTO messages (conversation_id, ordinal, role, content, model, sampling_json, "
                             "prompt_tokens, completion_tokens, time_to_first_token_ms, tokens_per_second, "
                             "created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    insert.bind(1, message.conversation_id)
        .bind(2, message.ordinal)
        .bind(3, to_string(message.role))
        .bind(4, message.content)
        .bind(5, message.model)
        .bind(6, message.sampling_json)
        .bind(7, message.prompt_tokens)
        .bind(8, message.completion_tokens)
        .bind(9, message.time_to_first_token_ms)
        .bind(10, message.tokens_per_second)
        .bind(11, message.created_ms)
        .run();
    Message stored = message;
    stored.id = db.last_insert_rowid();
    return stored;
}

std::int64_t next_ordinal(sqlite::Connection& db, std::int64_t conversation_id) {
    sqlite::Statement select(db, "SELECT COALESCE(MAX(ordinal) + 1, 0) FROM messages WHERE conversation_id = ?1");
    select.bind(1, conversation_id);
    select.step();
    return select.column_int(0);
}

std::vector<Message> select_messages(sqlite::Connection& db, std::int64_t conversation_id) {
    sqlite::Statement select(db, std::string(select_message_columns) + "WHERE conversation_id = ?1 ORDER BY ordinal");
    select.bind(1, conversation_id);
    std::vector<Message> messages;
    while (select.step()) messages.push_back(read_message(select));
    return messages;
}

}  // namespace history

Message HistoryStore::append_message(std::int64_t conversation_id, const MessageFields& fields) {
    check_message_fields(fields, "message");
    const auto guard = impl_->lock();
    sqlite::Transaction transaction(impl_->db, sqlite::TransactionKind::write);
    const std::int64_t now = impl_->now_ms();
    history::touch_conversation(impl_->db, conversation_id, now);
    const std::int64_t ordinal = history::next_ordinal(impl_->db, conversation_id);
    Message stored = history::insert_message(impl_->db, history::new_message(conversation_id, fields, ordinal, now));
    transaction.commit();
    return stored;
}

Exchange HistoryStore::append_exchange(std::int64_t conversation_id, const MessageFields& user,
                                       const MessageFields& assistant) {
    require(user.role == MessageRole::user && assistant.role == MessageRole::assistant, ErrorKind::bad_request,
            "an exchange is a user message and an assistant message");
    check_message_fields(user, "user message");
    check_message_fields(assistant, "assistant message");
    const auto guard = impl_->lock();
    sqlite::Transaction transaction(impl_->db, sqlite::TransactionKind::write);
    const std::int64_t now = impl_->now_ms();
    history::touch_conversation(impl_->db, conversation_id, now);
    const std::int64_t ordinal = history::next_ordinal(impl_->db, conversation_id);
    Exchange exchange{
        history::insert_message(impl_->db, history::new_message(conversation_id, user, ordinal, now)),
        history::insert_message(impl_->db, history::new_message(conversation_id, assistant, ordinal + 1, now)),
    };
    transaction.commit();
    return exchange;
}

std::vector<Message> HistoryStore::list_messages(std::int64_t conversation_id) const {
    const auto guard = impl_->lock();
    sqlite::Transaction snapshot(impl_->db, sqlite::TransactionKind::read);
    history::require_conversation(impl_->db, conversation_id);
    return history::select_messages(impl_->db, conversation_id);
}

void HistoryStore::edit_message(std::int64_t message_id, std::string_view content) {
    const auto guard = impl_->lock();
    sqlite::Transaction transaction(impl_->db, sqlite::TransactionKind::write);
    const std::int64_t conversation_id = history::conversation_of_message(impl_->db, message_id);
    sqlite::Statement update(impl_->db, "UPDATE messages SET content = ?2 WHERE id = ?1");
    update.bind(1, message_id).bind(2, content).run();
    history::touch_conversation(impl_->db, conversation_id, impl_->now_ms());
    transaction.commit();
}

std::int64_t HistoryStore::truncate_messages(std::int64_t conversation_id, std::int64_t from_ordinal) {
    require(from_ordinal >= 0, ErrorKind::bad_request, "truncate_messages needs an ordinal >= 0");
    const auto guard = impl_->lock();
    sqlite::Transaction transaction(impl_->db, sqlite::TransactionKind::write);
    history::require_conversation(impl_->db, conversation_id);
    sqlite::Statement erase(impl_->db, "DELETE FROM messages WHERE conversation_id = ?1 AND ordinal >= ?2");
    erase.bind(1, conversation_id).bind(2, from_ordinal).run();
    const std::int64_t deleted = impl_->db.changes();
    if (deleted > 0) history::touch_conversation(impl_->db, conversation_id, impl_->now_ms());
    transaction.commit();
    return deleted;
}

}  // namespace hearth
