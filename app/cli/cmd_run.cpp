// `hearth run -m FILE -p TEXT -n N`: one completion. stdout carries only the generated text;
// timings go to stderr.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "app/cli/commands.h"
#include "app/cli/common_options.h"
#include "app/cli/report.h"
#include "core/engine/loaded_model.h"
#include "core/error.h"

namespace hearth::cli {
namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    require(in.good(), ErrorKind::io, "cannot open " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

int cmd_run(int argc, char** argv) {
    std::vector<OptionSpec> specs = model_option_specs();
    for (auto& s : sampling_option_specs()) specs.push_back(s);
    specs.push_back({"-p", "--prompt", true, "prompt text"});
    specs.push_back({"-f", "--file", true, "read the prompt from a file"});
    specs.push_back({"-n", "--n-predict", true, "tokens to generate (default 128)"});
    specs.push_back({"--stop", "", true, "stop string (repeatable)"});
    specs.push_back({"--ignore-eos", "", false, "keep generating past end-of-generation tokens"});
    const Args args(specs, argc, argv, 2);
    require(args.has("-p") != args.has("-f"), ErrorKind::bad_request,
            "usage: hearth run -m FILE (-p TEXT | -f FILE) [-n N] [options]\n" + usage_lines(specs));
    const std::string prompt_text = args.has("-p") ? *args.get("-p") : read_file(*args.get("-f"));

    const auto loaded = LoadedModel::load(model_path(args, true), load_options(args));
    GenerateOptions options;
    options.max_tokens = args.get_int("-n", 128);
    options.sampling = sampling_params(args);
    options.stop = args.get_all("--stop");
    options.ignore_eos = args.has("--ignore-eos");
    const auto prompt = loaded->tokenizer().encode(prompt_text, tokenizer::EncodeOptions{true, true});
    Session session(loaded->model(), session_options(args, *loaded, static_cast<int32_t>(prompt.size()) + options.max_tokens));
    const GenerationStats stats = generate(session, loaded->tokenizer(), prompt, options, [](std::string_view text) {
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fflush(stdout);
        return true;
    });
    std::fputc('\n', stdout);
    print_stats(stats);
    return 0;
}

}  // namespace hearth::cli
