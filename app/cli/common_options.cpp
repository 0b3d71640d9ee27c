#include "app/cli/common_options.h"

#include <cstdlib>
#include <filesystem>

#include "core/error.h"

namespace hearth::cli {
namespace {
constexpr const char* kDefaultModel = "SmolLM2-135M-Instruct.Q4_1.gguf";

std::filesystem::path model_cache() {
    if (const char* dir = std::getenv("HEARTH_MODEL_DIR")) return dir;
    const char* home = std::getenv("HOME");
    return std::filesystem::path(home ? home : ".") / ".cache" / "hearth" / "models";
}
}  // namespace

std::vector<OptionSpec> model_option_specs() {
    return {
        {"-m", "--model", true, "GGUF model file"},
        {"-t", "--threads", true, "CPU threads (default: one per physical core)"},
        {"-c", "--ctx-size", true, "context size in tokens (default: 4096, at most the model's)"},
        {"--kv-type", "", true, "KV cache storage: f16 (default) or q8_0 (half the memory)"},
        {"--backend", "", true, "cpu (default) or vulkan"},
        {"--device", "", true, "Vulkan device index (default: the best one, or $HEARTH_VULKAN_DEVICE)"},
        {"--exact", "", false, "CPU: ggml's portable arithmetic for every dot, bit for bit (slower K-quant prompts)"},
    };
}

std::vector<OptionSpec> sampling_option_specs() {
    return {
        {"--temp", "", true, "temperature; 0 = greedy (default 0.8)"},
        {"--top-k", "", true, "top-k, 0 = off (default 40)"},
        {"--top-p", "", true, "top-p (default 0.95)"},
        {"--min-p", "", true, "min-p (default 0.05)"},
        {"--repeat-penalty", "", true, "repetition penalty (default 1.0 = off)"},
        {"--repeat-last-n", "", true, "tokens the penalties look back over (default 64)"},
        {"--presence-penalty", "", true, "presence penalty (default 0)"},
        {"--frequency-penalty", "", true, "frequency penalty (default 0)"},
        {"--seed", "", true, "random seed (default: random)"},
    };
}

std::string model_path(const Args& args, bool allow_default) {
    if (auto path = args.get("-m")) return *path;
    require(allow_default, ErrorKind::bad_request, "no model given: use -m FILE");
    const auto path = model_cache() / kDefaultModel;
    require(std::filesystem::exists(path), ErrorKind::bad_request,
            "the default model is not at " + path.string() + "; fetch it with scripts/fetch-models, or pass -m FILE");
    return path.string();
}

LoadOptions load_options(const Args& args) {
    LoadOptions options;
    options.n_threads = args.get_int("-t", 0);
    options.backend = parse_backend_kind(args.get_or("--backend", "cpu"));
    options.device_index = args.get_int("--device", -1);
    options.exact = args.has("--exact");
    return options;
}

DType kv_type(const Args& args) {
    const std::string name = args.get_or("--kv-type", "f16");
    if (name == "f16") return DType::F16;
    if (name == "q8_0") return DType::Q8_0;
    throw Error(ErrorKind::bad_request, "--kv-type must be f16 or q8_0, not '" + name + "'");
}

SamplingParams sampling_params(const Args& args) {
    SamplingParams p;
    p.temperature = static_cast<float>(args.get_double("--temp", p.temperature));
    p.top_k = args.get_int("--top-k", p.top_k);
    p.top_p = static_cast<float>(args.get_double("--top-p", p.top_p));
    p.min_p = static_cast<float>(args.get_double("--min-p", p.min_p));
    p.repeat_penalty = static_cast<float>(args.get_double("--repeat-penalty", p.repeat_penalty));
    p.repeat_last_n = args.get_int("--repeat-last-n", p.repeat_last_n);
    p.presence_penalty = static_cast<float>(args.get_double("--presence-penalty", p.presence_penalty));
    p.frequency_penalty = static_cast<float>(args.get_double("--frequency-penalty", p.frequency_penalty));
    if (auto seed = args.get("--seed")) {
        const double value = args.get_double("--seed", 0);
        require(value >= 0 && value < 1.8e19, ErrorKind::bad_request, "--seed must be a non-negative integer, got " + *seed);
        p.seed = std::stoull(*seed);
    }
    p.validate();
    return p;
}

}  // namespace hearth::cli
