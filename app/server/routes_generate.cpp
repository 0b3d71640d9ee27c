// The generation endpoints: OpenAI /v1/chat/completions and /v1/completions, Ollama /api/chat
// and /api/generate, whole or streamed (SSE / NDJSON). A client that goes away mid-stream has its
// generation cancelled (its KV pages are freed at the engine's next step).
#include <chrono>
#include <memory>
#include <optional>

#include "app/server/chat_store.h"
#include "app/server/generation.h"
#include "app/server/json_text.h"
#include "app/server/server_context.h"

namespace hearth::server {
namespace {

using Clock = std::chrono::steady_clock;
using Parser = GenerationRequest (*)(std::string_view, const ApiLimits&);

struct Endpoint {
    const char* path;
    Dialect dialect;
    Parser parse;
    std::optional<OllamaEndpoint> ollama;  // which Ollama response shape, for Ollama routes
};

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

ResponseMeta meta_for(ServerContext& ctx, const GenerationRequest& request) {
    const char* prefix = request.kind == GenerationRequest::Kind::chat ? "chatcmpl" : "cmpl";
    return ResponseMeta{ctx.response_id(prefix), ctx.options.model_name, std::chrono::system_clock::now()};
}

// One generation in flight, shared by the streaming provider and its releaser.
struct Generation {
    ServerContext& ctx;
    GenerationRequest request;
    std::optional<StoredChat> stored;
    std::shared_ptr<RequestStream> stream;
    ResultBuilder builder;
    Clock::time_point started = Clock::now();
    Clock::time_point last_token;
    int64_t tokens_seen = 0;
    bool finished = false;

    Generation(ServerContext& c, GenerationRequest r, std::optional<StoredChat> s, std::shared_ptr<RequestStream> st)
        : ctx(c), request(std::move(r)), stored(s), stream(std::move(st)), builder(c.model.tokenizer(), request.logprobs) {}

    void on_token(const GeneratedToken& token) {
        // Inter-token time starts at the first token; before it is the time to first token.
        if (tokens_seen++ > 0) ctx.metrics.observe_inter_token(seconds_since(last_token));
        last_token = Clock::now();
        builder.add(token);
    }
    // Records the outcome everywhere; returns the summary (ApiError if the engine failed).
    GenerationSummary conclude() {
        finished = true;
        const RequestResult result = stream->result();
        ctx.metrics.count_tokens(result.prompt_tokens, result.generated_tokens);
        ctx.metrics.observe_request_duration(seconds_since(started));
        if (result.generated_tokens > 0) ctx.metrics.observe_time_to_first_token(result.timing.time_to_first_token_seconds);
        try {
            GenerationSummary summary = summarize(result, seconds_since(started));
            if (stored) finish_stored_chat(*ctx.history, *stored, request, ctx.options.model_name, builder.text(), &summary);
            return summary;
        } catch (...) {
            if (stored) finish_stored_chat(*ctx.history, *stored, request, ctx.options.model_name, {}, nullptr);
            throw;
        }
    }
    // The client left before the end: stop generating, store nothing.
    void abandon() {
        if (finished) return;
        finished = true;
        ctx.engine.cancel(stream->id());
        if (stored) finish_stored_chat(*ctx.history, *stored, request, ctx.options.model_name, {}, nullptr);
    }
};

void respond_whole(Generation& g, const Endpoint& endpoint, httplib::Response& res) {
    const ResponseMeta meta = meta_for(g.ctx, g.request);
    // Waits a token at a time so that a stopping server cancels this generation too.
    for (;;) {
        if (auto token = g.stream->next_for(std::chrono::milliseconds(50))) {
            g.on_token(*token);
        } else if (g.stream->finished()) {
            while (auto last = g.stream->next()) g.on_token(*last);  // pushed just before the end
            break;
        } else if (g.ctx.stopping) {
            g.ctx.engine.cancel(g.stream->id());
        }
    }
    CompletionResult result;
    result.text = g.builder.text();
    result.summary = g.conclude();
    if (g.request.logprobs) result.logprobs = g.builder.take_logprobs();
    nlohmann::json body;
    if (endpoint.ollama) {
        body = ollama_response(*endpoint.ollama, meta, result);
    } else if (g.request.kind == GenerationRequest::Kind::chat) {
        body = openai_chat_completion(meta, result);
    } else {
        body = openai_text_completion(meta, result);
    }
    send_json(res, json_text(body));
}

// The provider writes one token's chunk per call, waiting briefly for it; it returns false (and
// cancels the generation) when the client is gone or the server stops.
void respond_streamed(std::shared_ptr<Generation> g, const Endpoint& endpoint, httplib::Response& res) {
    const ResponseMeta meta = meta_for(g->ctx, g->request);
    auto openai = endpoint.ollama ? nullptr : std::make_shared<OpenAiStream>(meta, g->request);
    auto ollama = endpoint.ollama ? std::make_shared<OllamaStream>(*endpoint.ollama, meta) : nullptr;
    auto begun = std::make_shared<bool>(false);
    const char* type = endpoint.ollama ? "application/x-ndjson" : "text/event-stream";
    res.set_chunked_content_provider(
        type,
        [g, openai, ollama, begun](size_t, httplib::DataSink& sink) {
            auto write = [&](const std::string& s) { return s.empty() || sink.write(s.data(), s.size()); };
            auto write_pending = [&] {  // the text and logprobs received since the last chunk
                const std::string piece = g->builder.take_text();
                const std::vector<TokenLogprob> logprobs = g->builder.take_logprobs();
                return (piece.empty() && logprobs.empty()) || write(openai ? openai->text(piece, logprobs) : ollama->text(piece));
            };
            if (!*begun) {
                *begun = true;
                if (openai && !write(openai->begin())) return false;
            }
            if (g->ctx.stopping) return false;
            if (auto token = g->stream->next_for(std::chrono::milliseconds(50))) {
                g->on_token(*token);
                return write_pending();
            }
            if (!g->stream->finished()) return sink.is_writable();
            while (auto last = g->stream->next()) g->on_token(*last);  // pushed just before the end
            if (!write_pending()) return false;
            try {
                const GenerationSummary summary = g->conclude();
                write(openai ? openai->end(summary) : ollama->end(summary));
            } catch (const ApiError& e) {
                write(openai ? sse_event(openai_error_body(e)) : ndjson_line(ollama_error_body(e)));
            }
            sink.done();
            return true;
        },
        [g](bool) { g->abandon(); });
}

void serve_generation(ServerContext& ctx, const Endpoint& endpoint, const httplib::Request& req, httplib::Response& res) {
    GenerationRequest request = endpoint.parse(req.body, ctx.options.limits);
    ctx.check_model(request.model);
    if (request.load_only) {  // Ollama's way of asking to load a model: it is loaded already
        send_json(res, json_text(ollama_load_response(*endpoint.ollama, meta_for(ctx, request))));
        return;
    }
    const PromptLimits limits{ctx.engine.scheduler_options().n_ctx, ctx.options.max_prompt_tokens};
    Request engine_request = to_engine_request(request, ctx.model, limits);
    std::optional<StoredChat> stored = open_stored_chat(ctx.history, request, ctx.options.model_name);
    if (stored) res.set_header("X-Hearth-Conversation-Id", std::to_string(stored->conversation_id));
    std::shared_ptr<RequestStream> stream;
    try {
        stream = ctx.engine.submit(std::move(engine_request));
    } catch (...) {
        if (stored) finish_stored_chat(*ctx.history, *stored, request, ctx.options.model_name, {}, nullptr);
        throw;
    }
    const bool streamed = request.stream;
    auto generation = std::make_shared<Generation>(ctx, std::move(request), stored, std::move(stream));
    if (streamed) {
        respond_streamed(generation, endpoint, res);
    } else {
        respond_whole(*generation, endpoint, res);
    }
}

}  // namespace

void add_generation_routes(httplib::Server& server, ServerContext& ctx) {
    static const Endpoint endpoints[] = {
        {"/v1/chat/completions", Dialect::openai, parse_openai_chat, std::nullopt},
        {"/v1/completions", Dialect::openai, parse_openai_completion, std::nullopt},
        {"/api/chat", Dialect::ollama, parse_ollama_chat, OllamaEndpoint::chat},
        {"/api/generate", Dialect::ollama, parse_ollama_generate, OllamaEndpoint::generate},
    };
    for (const Endpoint& e : endpoints)
        server.Post(e.path, guarded(ctx, e.path, e.dialect, [&ctx, &e](const httplib::Request& req, httplib::Response& res) {
                        serve_generation(ctx, e, req, res);
                    }));
}

}  // namespace hearth::server
