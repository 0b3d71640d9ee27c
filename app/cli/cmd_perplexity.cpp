// `hearth perplexity -m FILE -f TEXT`: llama.cpp-compatible perplexity (512-token chunks by
// default, second half of each scored). The last line is `perplexity: VALUE`.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "app/cli/commands.h"
#include "app/cli/common_options.h"
#include "core/engine/loaded_model.h"
#include "core/engine/perplexity.h"
#include "core/error.h"

namespace hearth::cli {

int cmd_perplexity(int argc, char** argv) {
    std::vector<OptionSpec> specs = model_option_specs();
    specs.push_back({"-f", "--file", true, "text file to score"});
    specs.push_back({"-b", "--batch-size", true, "tokens per forward pass (default 512)"});
    specs.push_back({"--chunks", "", true, "score at most this many chunks (default: all)"});
    const Args args(specs, argc, argv, 2);
    require(args.has("-m") && args.has("-f"), ErrorKind::bad_request,
            "usage: hearth perplexity -m FILE -f TEXT [-c 512] [-t N]\n" + usage_lines(specs));
    std::ifstream in(*args.get("-f"), std::ios::binary);
    require(in.good(), ErrorKind::io, "cannot open " + *args.get("-f"));
    std::ostringstream text;
    text << in.rdbuf();

    const auto loaded = LoadedModel::load(*args.get("-m"), load_options(args));
    const auto& tok = loaded->tokenizer();
    const auto tokens = tok.encode(text.str(), tokenizer::EncodeOptions{true, false});
    PerplexityOptions options;
    options.n_ctx = args.get_int("-c", 512);
    options.kv_type = kv_type(args);
    options.n_batch = args.get_int("-b", 512);
    options.max_chunks = args.get_int("--chunks", 0);
    if (tok.vocab().flags().add_bos && tok.bos() != tokenizer::no_token) options.bos = tok.bos();
    std::fprintf(stderr, "%zu tokens, %zu chunks of %d\n", tokens.size(), tokens.size() / options.n_ctx, options.n_ctx);
    const PerplexityResult result = compute_perplexity(loaded->model(), tokens, options, [](int32_t chunk, double estimate) {
        std::fprintf(stderr, "[%d]%.4f ", chunk + 1, estimate);
        std::fflush(stderr);
    });
    std::printf("\nperplexity: %.4f\n", result.perplexity);
    return 0;
}

}  // namespace hearth::cli
