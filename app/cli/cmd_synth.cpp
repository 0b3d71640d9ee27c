// `hearth synth --shape llama-1b --type Q4_0 -o FILE`: a GGUF with random weights in a real
// model's shape and a real tokenizer (from --vocab-from, default: the default model), for
// benchmarks that other GGUF engines can run on the same file.
#include <chrono>
#include <cstdio>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "app/cli/common_options.h"
#include "core/error.h"
#include "models/synthetic.h"

namespace hearth::cli {

int cmd_synth(int argc, char** argv) {
    std::string shapes;
    for (const auto& s : synthetic_shapes()) shapes += (shapes.empty() ? "" : ", ") + s.name;
    const std::vector<OptionSpec> specs = {
        {"--shape", "", true, "model shape: " + shapes},
        {"--type", "", true, "weights: Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, F16, BF16, Q4_K_M, Q5_K_M"},
        {"-o", "--output", true, "file to write"},
        {"-m", "--vocab-from", true, "GGUF whose tokenizer is copied (default: the default model)"},
        {"--seed", "", true, "random seed (default 1)"},
        {"-t", "--threads", true, "threads (default: all)"},
    };
    const Args args(specs, argc, argv, 2);
    require(args.has("--shape") && args.has("--type") && args.has("-o"), ErrorKind::bad_request,
            "usage: hearth synth --shape SHAPE --type TYPE -o FILE [-m VOCAB.gguf]\n" + usage_lines(specs));
    const auto vocab = gguf::GgufFile::open(model_path(args, true));
    SyntheticRequest request;
    request.shape = *args.get("--shape");
    request.mix = *args.get("--type");
    request.seed = static_cast<uint64_t>(args.get_int("--seed", 1));
    request.n_threads = args.get_int("-t", 0);
    const auto start = std::chrono::steady_clock::now();
    write_synthetic_model(request, *vocab, *args.get("-o"));
    std::fprintf(stderr, "wrote %s (%s, %s) in %.1f s\n", args.get("-o")->c_str(), request.shape.c_str(),
                 request.mix.c_str(), std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return 0;
}

}  // namespace hearth::cli
