#pragma once
// What every route handler of `hearth serve` shares: the model and its engine, the optional
// history store, the options, the metrics, and the helpers that turn exceptions into the
// dialect's error responses.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include <httplib.h>

#include "app/history/history_store.h"
#include "app/server/api_error.h"
#include "app/server/metrics.h"
#include "app/server/server_options.h"
#include "core/engine/engine.h"
#include "core/engine/loaded_model.h"

namespace hearth::server {

enum class Dialect { openai, ollama };

struct ServerContext {
    ServerContext(LoadedModel& m, Engine& e, HistoryStore* h, ServerOptions o)
        : model(m), engine(e), history(h), options(std::move(o)) {}

    LoadedModel& model;
    Engine& engine;
    HistoryStore* history;  // null: storing chats is refused
    ServerOptions options;
    Metrics metrics;
    std::atomic<bool> stopping{false};
    std::atomic<uint64_t> next_id{1};
    std::chrono::system_clock::time_point started = std::chrono::system_clock::now();

    std::string response_id(const std::string& prefix) { return prefix + "-" + std::to_string(next_id++); }
    // ApiError 404 unless name is empty or the served model's name.
    void check_model(const std::string& name) const;
};

void send_error(httplib::Response& res, const ApiError& error, Dialect dialect);
void send_json(httplib::Response& res, const std::string& body);

using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
// Wraps a handler: any exception becomes the dialect's error response; every request is counted.
Handler guarded(ServerContext& ctx, std::string endpoint, Dialect dialect, Handler handler);

void add_generation_routes(httplib::Server& server, ServerContext& ctx);
void add_info_routes(httplib::Server& server, ServerContext& ctx);
void add_history_routes(httplib::Server& server, ServerContext& ctx);

}  // namespace hearth::server
