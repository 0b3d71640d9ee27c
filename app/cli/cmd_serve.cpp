// `hearth serve`: the OpenAI- and Ollama-compatible HTTP API over one model. Runs until SIGINT or
// SIGTERM, then cancels open streams and exits cleanly.
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "app/cli/common_options.h"
#include "app/history/history_store.h"
#include "app/server/http_server.h"
#include "core/engine/engine.h"
#include "core/error.h"

namespace hearth::cli {
namespace {

std::vector<OptionSpec> serve_specs() {
    std::vector<OptionSpec> specs = model_option_specs();
    specs.push_back({"--host", "", true, "address to listen on (default 127.0.0.1: this machine only)"});
    specs.push_back({"--port", "", true, "port (default 8080; 0 picks a free one and prints it)"});
    specs.push_back({"--api-key", "", true, "require Authorization: Bearer KEY (default: $HEARTH_API_KEY, else none)"});
    specs.push_back({"-np", "--parallel", true, "requests generating at once (default 8)"});
    specs.push_back({"--kv-mib", "", true, "KV cache budget in MiB (default: automatic)"});
    specs.push_back({"--history", "", true, "SQLite file keeping chats that ask to be stored"});
    specs.push_back({"--cors-origin", "", true, "allow browsers from this origin (or *) to call the API"});
    specs.push_back({"--max-prompt-tokens", "", true, "refuse longer prompts (default: the context size)"});
    specs.push_back({"--max-tokens-cap", "", true, "largest max_tokens a request may ask (default 32768)"});
    specs.push_back({"--alias", "", true, "the model name clients use (default: the file name)"});
    return specs;
}

}  // namespace

int cmd_serve(int argc, char** argv) {
    const Args args(serve_specs(), argc, argv, 2);
    const std::string path = model_path(args, true);
    const auto loaded = LoadedModel::load(path, load_options(args));

    EngineOptions engine_options;
    engine_options.scheduler.n_ctx = std::min(args.get_int("-c", 4096), loaded->model().config().n_ctx_train);
    engine_options.scheduler.max_sequences = args.get_int("-np", 8);
    engine_options.kv_bytes = static_cast<int64_t>(args.get_int("--kv-mib", 0)) << 20;
    engine_options.kv_type = kv_type(args);
    Engine engine(loaded->model(), loaded->tokenizer(), engine_options);

    std::unique_ptr<HistoryStore> history;
    if (auto file = args.get("--history")) history = std::make_unique<HistoryStore>(HistoryStore::open(*file));

    server::ServerOptions options;
    options.host = args.get_or("--host", "127.0.0.1");
    options.port = args.get_int("--port", 8080);
    const char* env_key = std::getenv("HEARTH_API_KEY");
    options.api_key = args.get_or("--api-key", env_key ? env_key : "");
    options.cors_origin = args.get_or("--cors-origin", "");
    options.max_prompt_tokens = args.get_int("--max-prompt-tokens", 0);
    options.limits.max_tokens_cap = args.get_int("--max-tokens-cap", options.limits.max_tokens_cap);
    options.model_name = args.get_or("--alias", std::filesystem::path(path).stem().string());

    // Signals are taken by this thread alone (sigwait), so no handler runs inside the server.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    signal(SIGPIPE, SIG_IGN);  // a client that hangs up is a failed write, not the end of the server

    server::HttpServer server(*loaded, engine, history.get(), options);
    server.start();
    std::fprintf(stderr, "hearth serve: %s on http://%s:%d (backend %s: %s; context %d, %d parallel, KV %.0f MiB%s)\n",
                 options.model_name.c_str(), options.host.c_str(), server.port(), std::string(loaded->backend().name()).c_str(),
                 loaded->backend().device_description().c_str(), engine.scheduler_options().n_ctx,
                 engine.scheduler_options().max_sequences, static_cast<double>(engine.kv_bytes()) / 1048576.0,
                 options.api_key.empty() ? "" : "; API key required");
    std::printf("listening on port %d\n", server.port());
    std::fflush(stdout);
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    std::fprintf(stderr, "hearth serve: stopping (signal %d)\n", signal_number);
    server.stop();
    return 0;
}

}  // namespace hearth::cli
