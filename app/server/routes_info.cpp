// Everything but generation and history: model lists in both dialects, version, health (the
// model, backend and device really in use), Prometheus metrics, tokenize/detokenize, and the chat
// page served from the binary.
#include <filesystem>

#include "app/server/api_request.h"
#include "app/server/api_response.h"
#include "app/server/chat_page.h"
#include "app/server/json_text.h"
#include "app/server/server_context.h"

namespace hearth::server {
namespace {

constexpr const char* kVersion = "0.1.0";

ModelInfo model_info(const ServerContext& ctx) {
    const LoadedModel::Facts facts = ctx.model.facts();
    ModelInfo info;
    info.name = ctx.options.model_name;
    std::error_code ec;
    const std::filesystem::path path = ctx.model.file().path();
    info.size_bytes = std::filesystem::file_size(path, ec);
    if (ec) info.size_bytes = facts.weight_bytes;
    const auto modified = std::filesystem::last_write_time(path, ec);
    info.modified = ec ? ctx.started
                       : std::chrono::time_point_cast<std::chrono::system_clock::duration>(
                             std::chrono::file_clock::to_sys(modified));
    info.family = ctx.model.model().config().architecture;
    info.parameter_size = facts.size_label;
    info.quantization_level = facts.main_type;
    return info;
}

void serve_health(ServerContext& ctx, httplib::Response& res) {
    const SchedulerStats stats = ctx.engine.stats();
    const nlohmann::json body = {
        {"status", "ok"},
        {"model", ctx.options.model_name},
        {"model_file", ctx.model.file().path()},
        {"backend", std::string(ctx.model.backend().name())},
        {"device", ctx.model.backend().device_description()},
        {"n_ctx", ctx.engine.scheduler_options().n_ctx},
        {"max_sequences", ctx.engine.scheduler_options().max_sequences},
        {"kv_pages", stats.kv.pages_total},
        {"kv_bytes", ctx.engine.kv_bytes()},
        {"requests_waiting", stats.waiting},
        {"requests_running", stats.running},
    };
    send_json(res, json_text(body));
}

void serve_tokenize(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
    const TokenizeRequest r = parse_tokenize(req.body, ctx.options.limits);
    const std::vector<int32_t> tokens =
        ctx.model.tokenizer().encode(r.content, {.add_special = r.add_special, .parse_special = true});
    send_json(res, json_text(tokenize_response(tokens)));
}

void serve_detokenize(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
    const DetokenizeRequest r = parse_detokenize(req.body, ctx.options.limits);
    const int32_t n_vocab = ctx.model.tokenizer().n_vocab();
    for (size_t i = 0; i < r.tokens.size(); ++i)
        if (r.tokens[i] >= n_vocab)
            throw invalid_request("token " + std::to_string(r.tokens[i]) + " is outside the vocabulary of " +
                                      std::to_string(n_vocab),
                                  "tokens[" + std::to_string(i) + "]");
    send_json(res, json_text(detokenize_response(ctx.model.tokenizer().decode(r.tokens))));
}

}  // namespace

void add_info_routes(httplib::Server& server, ServerContext& ctx) {
    server.Get("/v1/models", guarded(ctx, "/v1/models", Dialect::openai, [&ctx](const auto&, auto& res) {
                   const ModelInfo info = model_info(ctx);
                   send_json(res, json_text(openai_models(std::span(&info, 1))));
               }));
    server.Get("/api/tags", guarded(ctx, "/api/tags", Dialect::ollama, [&ctx](const auto&, auto& res) {
                   const ModelInfo info = model_info(ctx);
                   send_json(res, json_text(ollama_tags(std::span(&info, 1))));
               }));
    server.Get("/api/version", guarded(ctx, "/api/version", Dialect::ollama, [](const auto&, auto& res) {
                   send_json(res, json_text(ollama_version(kVersion)));
               }));
    server.Get("/health", guarded(ctx, "/health", Dialect::openai, [&ctx](const auto&, auto& res) { serve_health(ctx, res); }));
    server.Get("/metrics", guarded(ctx, "/metrics", Dialect::openai, [&ctx](const auto&, auto& res) {
                   res.set_content(ctx.metrics.render(ctx.engine.stats()), "text/plain; version=0.0.4");
               }));
    server.Post("/tokenize", guarded(ctx, "/tokenize", Dialect::openai,
                                     [&ctx](const auto& req, auto& res) { serve_tokenize(ctx, req, res); }));
    server.Post("/detokenize", guarded(ctx, "/detokenize", Dialect::openai,
                                       [&ctx](const auto& req, auto& res) { serve_detokenize(ctx, req, res); }));
    server.Get("/", guarded(ctx, "/", Dialect::openai, [](const auto&, auto& res) {
                   res.set_content(std::string(chat_page_html()), "text/html; charset=utf-8");
               }));
}

}  // namespace hearth::server
