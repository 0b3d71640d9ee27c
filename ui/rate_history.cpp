#include "ui/rate_history.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>

namespace hearth::ui {

void RateHistory::add(float tokens_per_second) {
    samples_[next_] = tokens_per_second;
    next_ = (next_ + 1) % kCapacity;
    size_ = std::min(size_ + 1, kCapacity);
}

float RateHistory::max() const {
    float most = 0.0f;
    for (size_t i = 0; i < size_; ++i) most = std::max(most, samples_[i]);
    return most;
}

size_t process_resident_bytes() {
    std::ifstream statm("/proc/self/statm");
    size_t total_pages = 0;
    size_t resident_pages = 0;
    if (!(statm >> total_pages >> resident_pages)) return 0;
    const long page_size = sysconf(_SC_PAGESIZE);
    return page_size > 0 ? resident_pages * static_cast<size_t>(page_size) : 0;
}

}  // namespace hearth::ui
