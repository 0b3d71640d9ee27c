#include "app/server/http_server.h"

#include <nlohmann/json.hpp>

#include "app/server/json_text.h"
#include "core/error.h"

namespace hearth::server {

void ServerContext::check_model(const std::string& name) const {
    if (!name.empty() && name != options.model_name) throw model_not_found(name);
}

void send_error(httplib::Response& res, const ApiError& error, Dialect dialect) {
    res.status = error.status();
    res.set_content(json_text(dialect == Dialect::openai ? openai_error_body(error) : ollama_error_body(error)),
                    "application/json");
}

void send_json(httplib::Response& res, const std::string& body) {
    res.status = 200;
    res.set_content(body, "application/json");
}

Handler guarded(ServerContext& ctx, std::string endpoint, Dialect dialect, Handler handler) {
    return [&ctx, endpoint = std::move(endpoint), dialect, handler = std::move(handler)](const httplib::Request& req,
                                                                                         httplib::Response& res) {
        try {
            handler(req, res);
        } catch (const ApiError& e) {
            send_error(res, e, dialect);
        } catch (const Error& e) {
            send_error(res, to_api_error(e), dialect);
        } catch (const std::exception& e) {
            send_error(res, ApiError(ErrorKind::internal, {500, "server_error", e.what(), "", ""}), dialect);
        }
        ctx.metrics.count_request(endpoint, res.status);
    };
}

HttpServer::HttpServer(LoadedModel& model, Engine& engine, HistoryStore* history, ServerOptions options)
    : ctx_(std::make_unique<ServerContext>(model, engine, history, std::move(options))) {
    const int threads = std::max(4, ctx_->options.http_threads);
    server_.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
    server_.set_payload_max_length(ctx_->options.limits.max_body_bytes);
    install_auth_and_cors();
    add_generation_routes(server_, *ctx_);
    add_info_routes(server_, *ctx_);
    add_history_routes(server_, *ctx_);
    server_.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return;  // a handler already wrote its error
        const Dialect dialect = req.path.rfind("/api/", 0) == 0 ? Dialect::ollama : Dialect::openai;
        const int status = res.status;
        std::string message = status == 404   ? "no route for " + req.method + " " + req.path
                              : status == 413 ? "the request body is larger than the server accepts"
                                              : "the request could not be served";
        send_error(res, ApiError(ErrorKind::bad_request, {status, status == 404 ? "not_found_error" : "invalid_request_error",
                                                          message, "", ""}),
                   dialect);
        ctx_->metrics.count_request("other", res.status);
    });
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::install_auth_and_cors() {
    server_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
        const std::string& origin = ctx_->options.cors_origin;
        if (!origin.empty()) {
            res.set_header("Access-Control-Allow-Origin", origin);
            res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type");
            res.set_header("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
            if (req.method == "OPTIONS") {
                res.status = 204;
                return httplib::Server::HandlerResponse::Handled;
            }
        }
        const std::string& key = ctx_->options.api_key;
        if (key.empty() || req.path == "/health" || (req.path == "/" && req.method == "GET"))
            return httplib::Server::HandlerResponse::Unhandled;
        if (req.get_header_value("Authorization") == "Bearer " + key) return httplib::Server::HandlerResponse::Unhandled;
        const Dialect dialect = req.path.rfind("/api/", 0) == 0 ? Dialect::ollama : Dialect::openai;
        send_error(res, ApiError(ErrorKind::bad_request, {401, "authentication_error",
                                                          "a valid API key is required: send Authorization: Bearer KEY",
                                                          "", "invalid_api_key"}),
                   dialect);
        res.set_header("WWW-Authenticate", "Bearer");
        ctx_->metrics.count_request("unauthorized", 401);
        return httplib::Server::HandlerResponse::Handled;
    });
}

void HttpServer::start() {
    const std::string& host = ctx_->options.host;
    const int port = ctx_->options.port;
    port_ = port == 0 ? server_.bind_to_any_port(host) : (server_.bind_to_port(host, port) ? port : -1);
    require(port_ > 0, ErrorKind::io,
            "cannot listen on " + host + ":" + std::to_string(port) + " (address in use, or not this machine's)");
    // The socket already listens, so connections made before the loop starts wait in the backlog.
    thread_ = std::thread([this] { server_.listen_after_bind(); });
}

void HttpServer::stop() {
    std::lock_guard lock(stop_mutex_);
    ctx_->stopping = true;  // streams notice within one token wait and cancel themselves
    server_.stop();
    if (thread_.joinable()) thread_.join();
}

}  // namespace hearth::server
