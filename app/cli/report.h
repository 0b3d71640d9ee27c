#pragma once
// What the run and chat commands print to stderr, and how they size a session.
#include "app/cli/args.h"
#include "core/engine/generator.h"
#include "core/engine/loaded_model.h"

namespace hearth::cli {

// Prompt and generation speed, time to first token and why generation ended.
void print_stats(const GenerationStats& stats);

// -c, else `wanted` rounded up (at least 4096), capped at the model's training context.
SessionOptions session_options(const Args& args, const LoadedModel& loaded, int32_t wanted);

}  // namespace hearth::cli
