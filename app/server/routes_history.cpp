// The stored conversations: GET /v1/conversations (?limit, offset, q to search), GET and DELETE
// /v1/conversations/{id} (the conversation in the export format, messages included).
#include <nlohmann/json.hpp>

#include "app/server/json_text.h"
#include "app/server/server_context.h"

namespace hearth::server {
namespace {

HistoryStore& store_of(ServerContext& ctx) {
    if (!ctx.history)
        throw ApiError(ErrorKind::bad_request, {404, "not_found_error",
                                                "this server keeps no chat history (start it with --history FILE)", "", ""});
    return *ctx.history;
}

int64_t int_param(const httplib::Request& req, const std::string& name, int64_t fallback, int64_t max) {
    if (!req.has_param(name.c_str())) return fallback;
    const std::string text = req.get_param_value(name.c_str());
    try {
        size_t used = 0;
        const long long value = std::stoll(text, &used);
        if (used == text.size() && value >= 0 && value <= max) return value;
    } catch (const std::exception&) {
    }
    throw invalid_request(name + " must be a whole number from 0 to " + std::to_string(max), name);
}

nlohmann::json listing(const Conversation& c) {
    return {{"id", c.id}, {"title", c.title}, {"model", c.model}, {"created_ms", c.created_ms}, {"updated_ms", c.updated_ms}};
}

int64_t id_of(const httplib::Request& req) {
    try {
        return std::stoll(req.matches[1].str());
    } catch (const std::exception&) {
        throw invalid_request("the conversation id is out of range", "id");
    }
}

ApiError no_conversation(int64_t id) {
    return ApiError(ErrorKind::bad_request,
                    {404, "not_found_error", "no stored conversation " + std::to_string(id), "id", "conversation_not_found"});
}

}  // namespace

void add_history_routes(httplib::Server& server, ServerContext& ctx) {
    server.Get("/v1/conversations", guarded(ctx, "/v1/conversations", Dialect::openai, [&ctx](const auto& req, auto& res) {
                   HistoryStore& history = store_of(ctx);
                   const Page page{int_param(req, "limit", 100, 1000), int_param(req, "offset", 0, INT32_MAX)};
                   const auto found = req.has_param("q") ? history.search_conversations(req.get_param_value("q"), page)
                                                         : history.list_conversations(page);
                   nlohmann::json data = nlohmann::json::array();
                   for (const Conversation& c : found) data.push_back(listing(c));
                   send_json(res, json_text({{"object", "list"}, {"data", data}}));
               }));
    server.Get(R"(/v1/conversations/(\d+))", guarded(ctx, "/v1/conversations/{id}", Dialect::openai, [&ctx](const auto& req, auto& res) {
                   const int64_t id = id_of(req);
                   HistoryStore& history = store_of(ctx);
                   if (!history.get_conversation(id)) throw no_conversation(id);
                   send_json(res, history.export_conversation(id));
               }));
    server.Delete(R"(/v1/conversations/(\d+))", guarded(ctx, "/v1/conversations/{id}", Dialect::openai, [&ctx](const auto& req, auto& res) {
                   const int64_t id = id_of(req);
                   if (!store_of(ctx).delete_conversation(id)) throw no_conversation(id);
                   send_json(res, json_text({{"id", id}, {"deleted", true}}));
               }));
}

}  // namespace hearth::server
