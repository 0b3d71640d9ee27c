#pragma once
// Live numbers while an answer is written (and the last answer's afterwards): tokens/s with a
// small plot, time to first token, context used, KV pages, memory.
#include <cstdint>
#include <optional>

#include "core/sched/scheduler.h"
#include "ui/active_generation.h"
#include "ui/rate_history.h"

namespace hearth::ui {

struct StatsSnapshot {
    bool generating = false;
    std::optional<GenerationProgress> last;  // the answer being written, or the last one
    int32_t n_ctx = 0;                       // 0 when no model is loaded
    std::optional<SchedulerStats> engine;
    int64_t kv_bytes = 0;       // reserved for the KV cache
    uint64_t weight_bytes = 0;  // of the loaded model
    size_t resident_bytes = 0;  // of this process
};

void draw_stats_panel(const StatsSnapshot& stats, const RateHistory& rates);

}  // namespace hearth::ui
