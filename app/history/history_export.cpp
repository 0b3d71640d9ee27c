// A conversation to and from the JSON exchange format.
#include "app/history/conversation_json.h"
#include "app/history/history_impl.h"

namespace hearth {

std::string HistoryStore::export_conversation(std::int64_t id) const {
    history::ConversationDocument document;
    {
        const auto guard = impl_->lock();
        sqlite::Transaction snapshot(impl_->db, sqlite::TransactionKind::read);
        document.conversation = history::require_conversation(impl_->db, id);
        document.messages = history::select_messages(impl_->db, id);
    }
    return history::to_json(document);
}

Conversation HistoryStore::import_conversation(std::string_view json) {
    // Everything is parsed and validated before the transaction starts.
    history::ConversationDocument document = history::parse_conversation_document(json, impl_->now_ms());
    const auto guard = impl_->lock();
    sqlite::Transaction transaction(impl_->db, sqlite::TransactionKind::write);
    const Conversation stored = history::insert_conversation(impl_->db, document.conversation);
    for (Message& message : document.messages) {
        message.conversation_id = stored.id;
        history::insert_message(impl_->db, message);
    }
    transaction.commit();
    return stored;
}

}  // namespace hearth
