// `hearth`: run GGUF models from the terminal. Errors become a message and an exit code:
// 2 for bad usage, 3 for bad or unsupported files, 4 for out of memory, 1 otherwise.
#include <cstdio>
#include <cstring>
#include <string>

#include "app/cli/commands.h"
#include "core/error.h"

namespace {

constexpr const char* kUsage =
    "usage: hearth COMMAND [options]\n"
    "  chat        interactive chat (default model if -m is not given)\n"
    "  run         one completion: -m FILE -p TEXT -n N\n"
    "  info        metadata and tensor table of a GGUF file\n"
    "  perplexity  -m FILE -f TEXT: perplexity as llama.cpp computes it\n"
    "  serve       OpenAI- and Ollama-compatible HTTP API: -m FILE [--port 8080] [--api-key KEY]\n"
    "  bench       throughput like llama-bench: -p 512 -n 128 -r 5 [-d 1024] [--json]; -np N for streams\n"
    "  synth       write a random-weight GGUF in a real model's shape: --shape llama-1b --type Q4_0 -o FILE\n"
    "Run `hearth COMMAND --help` for a command's options.\n";

int exit_code(hearth::ErrorKind kind) {
    switch (kind) {
        case hearth::ErrorKind::bad_request: return 2;
        case hearth::ErrorKind::bad_file:
        case hearth::ErrorKind::unsupported:
        case hearth::ErrorKind::io: return 3;
        case hearth::ErrorKind::out_of_memory: return 4;
        default: return 1;
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
        std::fputs(kUsage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const std::string command = argv[1];
    try {
        if (command == "run") return hearth::cli::cmd_run(argc, argv);
        if (command == "chat") return hearth::cli::cmd_chat(argc, argv);
        if (command == "info") return hearth::cli::cmd_info(argc, argv);
        if (command == "perplexity") return hearth::cli::cmd_perplexity(argc, argv);
        if (command == "bench") return hearth::cli::cmd_bench(argc, argv);
        if (command == "synth") return hearth::cli::cmd_synth(argc, argv);
        if (command == "serve") return hearth::cli::cmd_serve(argc, argv);
        std::fprintf(stderr, "hearth: unknown command '%s'\n%s", command.c_str(), kUsage);
        return 2;
    } catch (const hearth::Error& e) {
        std::fprintf(stderr, "hearth %s: error (%s): %s\n", command.c_str(), hearth::to_string(e.kind()), e.what());
        return exit_code(e.kind());
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "hearth %s: error: out of memory\n", command.c_str());
        return 4;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "hearth %s: error: %s\n", command.c_str(), e.what());
        return 1;
    }
}
