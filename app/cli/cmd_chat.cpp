// `hearth chat`: an interactive multi-turn conversation in the terminal, rendered with the
// model's chat template. The KV cache keeps the conversation, so each turn only evaluates what
// is new. Ctrl+C stops the current answer; Ctrl+D or /exit leaves.
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>

#include "app/cli/commands.h"
#include "app/cli/common_options.h"
#include "app/cli/report.h"
#include "core/engine/loaded_model.h"
#include "core/error.h"

namespace hearth::cli {
namespace {

// Set by SIGINT while an answer streams; a signal handler can only reach static storage.
volatile std::sig_atomic_t g_interrupted = 0;

void on_interrupt(int) { g_interrupted = 1; }

constexpr const char* kHelp = "commands: /reset (new conversation), /exit (or Ctrl+D); Ctrl+C stops an answer\n";

}  // namespace

int cmd_chat(int argc, char** argv) {
    std::vector<OptionSpec> specs = model_option_specs();
    for (auto& s : sampling_option_specs()) specs.push_back(s);
    specs.push_back({"-s", "--system", true, "system prompt"});
    specs.push_back({"-n", "--n-predict", true, "most tokens per answer (default 1024)"});
    specs.push_back({"--stats", "", false, "print speed after each answer"});
    const Args args(specs, argc, argv, 2);
    require(args.positionals().empty(), ErrorKind::bad_request, "usage: hearth chat [-m FILE] [options]\n" + usage_lines(specs));

    const std::string path = model_path(args, true);
    std::fprintf(stderr, "loading %s ...\n", path.c_str());
    const auto loaded = LoadedModel::load(path, load_options(args));
    GenerateOptions options;
    options.max_tokens = args.get_int("-n", 1024);
    options.sampling = sampling_params(args);
    Session session(loaded->model(), session_options(args, *loaded, 4096));
    std::fprintf(stderr, "model: %s (%s, %s), context %d tokens, chat template: %s\n%s",
                 std::string(loaded->file().find_string("general.name").value_or("unnamed")).c_str(),
                 loaded->model().config().architecture.c_str(), loaded->backend().device_description().c_str(),
                 session.n_ctx(), loaded->chat_template_origin().c_str(), kHelp);

    std::vector<ChatMessage> messages;
    if (auto system = args.get("-s")) messages.push_back({"system", *system});
    const size_t first_turn = messages.size();
    std::signal(SIGINT, on_interrupt);
    std::string line;
    for (;;) {
        std::fputs("\n> ", stdout);
        std::fflush(stdout);
        if (!std::getline(std::cin, line) || line == "/exit") break;
        if (line == "/reset") {
            messages.resize(first_turn);
            std::fputs("(new conversation)\n", stdout);
            continue;
        }
        if (line.empty()) continue;
        messages.push_back({"user", line});
        std::vector<int32_t> prompt;
        try {
            prompt = loaded->chat_prompt(messages);
            require(static_cast<int32_t>(prompt.size()) + 1 < session.n_ctx(), ErrorKind::bad_request,
                    "the conversation no longer fits the context of " + std::to_string(session.n_ctx()) +
                        " tokens; /reset starts a new one");
        } catch (const Error& e) {
            messages.pop_back();
            std::fprintf(stderr, "error: %s\n", e.what());
            continue;
        }
        g_interrupted = 0;
        std::string answer;
        const GenerationStats stats = generate(session, loaded->tokenizer(), prompt, options, [&](std::string_view text) {
            answer += text;
            std::fwrite(text.data(), 1, text.size(), stdout);
            std::fflush(stdout);
            return g_interrupted == 0;
        });
        std::fputc('\n', stdout);
        messages.push_back({"assistant", answer});
        if (args.has("--stats")) print_stats(stats);
    }
    std::signal(SIGINT, SIG_DFL);
    return 0;
}

}  // namespace hearth::cli
