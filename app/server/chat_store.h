#pragma once
// Keeping served chats in the history store: a request with store (or a conversation_id) gets a
// conversation (created before generation, so its id can go in the response headers) and, when
// the answer is complete, its new messages, each exchange in one transaction.
#include <cstdint>
#include <optional>
#include <string>

#include "app/history/history_store.h"
#include "app/server/api_request.h"
#include "app/server/api_response.h"

namespace hearth::server {

struct StoredChat {
    int64_t conversation_id = 0;
    bool created = false;  // made for this request (removed again if nothing gets stored)
};

// The conversation to store into, or nothing when the request does not ask. ApiError 404 for an
// unknown conversation_id, 400 when no history store is configured.
std::optional<StoredChat> open_stored_chat(HistoryStore* history, const GenerationRequest& request,
                                           const std::string& model_name);
// Appends the request's new messages and the reply (a complete answer only; a cancelled or failed
// one leaves the conversation as it was, and removes it if it was made for this request).
void finish_stored_chat(HistoryStore& history, const StoredChat& chat, const GenerationRequest& request,
                        const std::string& model_name, const std::string& reply, const GenerationSummary* summary);

}  // namespace hearth::server
