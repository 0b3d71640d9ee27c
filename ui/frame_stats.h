#pragma once
// Frame times of the window, summarised the way the UI test judges them.
#include <cstddef>
#include <vector>

namespace hearth::ui {

struct FrameTimeSummary {
    size_t frames = 0;
    double median_ms = 0.0;
    double p95_ms = 0.0;
    double max_ms = 0.0;
};

// Median, 95th percentile (nearest rank) and maximum; all zero for no frames.
FrameTimeSummary summarize_frame_times(std::vector<double> frame_ms);

}  // namespace hearth::ui
