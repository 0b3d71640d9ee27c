#include "ui/stats_panel.h"

#include <imgui.h>

#include <cstdio>
#include <string>

#include "ui/model_info.h"
#include "ui/widgets.h"

namespace hearth::ui {
namespace {

std::string format(const char* pattern, double value) {
    char text[64];
    std::snprintf(text, sizeof(text), pattern, value);
    return text;
}

void draw_generation(const StatsSnapshot& stats) {
    if (!stats.last) {
        ImGui::TextDisabled("No answer yet.");
        return;
    }
    const GenerationProgress& p = *stats.last;
    labeled_value(stats.generating ? "speed (now)" : "speed (last)", format("%.1f tokens/s", p.tokens_per_second));
    labeled_value("first token", p.time_to_first_token_seconds ? format("%.0f ms", *p.time_to_first_token_seconds * 1000.0)
                                                               : std::string("waiting..."));
    labeled_value("tokens", std::to_string(p.prompt_tokens) + " prompt + " + std::to_string(p.generated_tokens) + " generated");
    if (stats.n_ctx > 0) {
        const int32_t used = p.prompt_tokens + p.generated_tokens;
        const std::string overlay = std::to_string(used) + " / " + std::to_string(stats.n_ctx) + " context";
        ImGui::ProgressBar(static_cast<float>(used) / static_cast<float>(stats.n_ctx), ImVec2(-1.0f, 0.0f), overlay.c_str());
    }
}

void draw_engine(const StatsSnapshot& stats) {
    if (!stats.engine) return;
    const KvCacheStats& kv = stats.engine->kv;
    labeled_value("KV pages", std::to_string(kv.pages_used) + " used, " + std::to_string(kv.pages_cached) + " cached, " +
                                  std::to_string(kv.pages_total) + " total");
    hover_tooltip((std::to_string(kv.page_size) + " tokens per page; cached pages keep a finished prefix for reuse").c_str());
    labeled_value("prefix reuse", format("%.0f%%", kv.prefix_hit_rate() * 100.0));
    labeled_value("KV memory", format_bytes(static_cast<uint64_t>(stats.kv_bytes)) + " reserved");
    labeled_value("weights", format_bytes(stats.weight_bytes));
}

}  // namespace

void draw_stats_panel(const StatsSnapshot& stats, const RateHistory& rates) {
    draw_generation(stats);
    if (rates.size() > 1) {
        ImGui::TextDisabled("tokens/s, every %.2f s (max %.0f)", kRateSampleSeconds, static_cast<double>(rates.max()));
        ImGui::PlotLines("##rate", rates.ring(), static_cast<int>(rates.size()), static_cast<int>(rates.oldest()), nullptr,
                         0.0f, rates.max() * 1.15f + 1.0f, ImVec2(ImGui::GetContentRegionAvail().x, ImGui::GetTextLineHeight() * 3.0f));
    }
    draw_engine(stats);
    labeled_value("memory", format_bytes(stats.resident_bytes) + " resident");
}

}  // namespace hearth::ui
