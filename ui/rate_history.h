#pragma once
// The recent tokens/s samples behind the stats panel's plot: a fixed-size ring, oldest first.
#include <array>
#include <cstddef>

namespace hearth::ui {

// How often the app adds a sample while an answer is written.
inline constexpr double kRateSampleSeconds = 0.25;

class RateHistory {
public:
    static constexpr size_t kCapacity = 120;

    void add(float tokens_per_second);
    size_t size() const { return size_; }
    // What ImGui::PlotLines takes: the ring and the index of the oldest sample.
    const float* ring() const { return samples_.data(); }
    size_t oldest() const { return size_ < kCapacity ? 0 : next_; }
    float max() const;

private:
    std::array<float, kCapacity> samples_{};
    size_t next_ = 0;
    size_t size_ = 0;
};

// The resident memory of this process in bytes (Linux /proc/self/statm); 0 when unknown.
size_t process_resident_bytes();

}  // namespace hearth::ui
