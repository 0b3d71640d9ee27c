#pragma once
// `hearth serve`: the OpenAI- and Ollama-compatible HTTP API over one Engine, on cpp-httplib.
// Binds 127.0.0.1 unless told otherwise; with an API key every route but /health and the chat
// page (which holds no data and asks for the key) needs "Authorization: Bearer KEY".
#include <memory>
#include <mutex>
#include <thread>

#include "app/server/server_context.h"

namespace hearth::server {

class HttpServer {
public:
    // The model, engine and history store (may be null) must outlive the server.
    HttpServer(LoadedModel& model, Engine& engine, HistoryStore* history, ServerOptions options);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds and starts serving on a background thread. Error(io) when the address is unusable.
    void start();
    // Cancels open streams and stops listening; safe to call more than once.
    void stop();
    int port() const { return port_; }
    const ServerContext& context() const { return *ctx_; }

private:
    void install_auth_and_cors();

    std::unique_ptr<ServerContext> ctx_;
    httplib::Server server_;
    std::thread thread_;  // runs the accept loop
    std::mutex stop_mutex_;
    int port_ = 0;
};

}  // namespace hearth::server
