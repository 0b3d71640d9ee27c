#include "ui/frame_stats.h"

#include <algorithm>
#include <cmath>

namespace hearth::ui {

FrameTimeSummary summarize_frame_times(std::vector<double> frame_ms) {
    FrameTimeSummary summary;
    summary.frames = frame_ms.size();
    if (frame_ms.empty()) return summary;
    std::sort(frame_ms.begin(), frame_ms.end());
    const size_t n = frame_ms.size();
    summary.median_ms = n % 2 == 1 ? frame_ms[n / 2] : (frame_ms[n / 2 - 1] + frame_ms[n / 2]) / 2.0;
    const auto rank = static_cast<size_t>(std::ceil(0.95 * static_cast<double>(n)));
    summary.p95_ms = frame_ms[std::max<size_t>(rank, 1) - 1];
    summary.max_ms = frame_ms.back();
    return summary;
}

}  // namespace hearth::ui
