#pragma once
// Options shared by the model-running subcommands: the model file, threads, context and sampling.
#include <string>
#include <vector>

#include "app/cli/args.h"
#include "core/engine/generator.h"
#include "core/engine/loaded_model.h"

namespace hearth::cli {

std::vector<OptionSpec> model_option_specs();     // -m, -t, -c
std::vector<OptionSpec> sampling_option_specs();  // --temp, --top-k, ..., --seed

// -m, or the default model in the cache when allow_default (Error naming how to fetch it).
std::string model_path(const Args& args, bool allow_default);
SamplingParams sampling_params(const Args& args);
DType kv_type(const Args& args);  // --kv-type f16 (default) or q8_0
LoadOptions load_options(const Args& args);  // -t, --backend, --device, --exact

}  // namespace hearth::cli
