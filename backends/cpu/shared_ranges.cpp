#include "backends/cpu/shared_ranges.h"

namespace hearth::cpu {
namespace {

constexpr int kTagShift = 48;
constexpr int kFrontShift = 24;
constexpr uint64_t kUnitMask = (uint64_t{1} << 24) - 1;

uint64_t pack(uint16_t tag, int64_t front, int64_t back) {
    return uint64_t{tag} << kTagShift | static_cast<uint64_t>(front) << kFrontShift | static_cast<uint64_t>(back);
}
uint16_t tag_of(uint64_t word) { return static_cast<uint16_t>(word >> kTagShift); }
int64_t front_of(uint64_t word) { return static_cast<int64_t>(word >> kFrontShift & kUnitMask); }
int64_t back_of(uint64_t word) { return static_cast<int64_t>(word & kUnitMask); }

}  // namespace

SharedRanges::SharedRanges(int threads) : lines_(std::make_unique<Line[]>(threads > 0 ? threads : 1)) {}

// Claims only hand out indices; the job's outputs are published by the pool's end-of-job
// synchronisation, so relaxed order suffices.
void SharedRanges::open(int owner, int part, uint16_t tag, UnitRange range) {
    std::atomic<uint64_t>& word = lines_[owner].parts[part];
    uint64_t seen = word.load(std::memory_order_relaxed);
    const uint64_t opened = pack(tag, range.begin, range.end);
    while (tag_of(seen) != tag)
        if (word.compare_exchange_weak(seen, opened, std::memory_order_relaxed)) return;
}

UnitRange SharedRanges::claim_front(int owner, int part) { return take_half(owner, part, false); }

UnitRange SharedRanges::steal_back(int owner, int part) { return take_half(owner, part, true); }

UnitRange SharedRanges::take_half(int owner, int part, bool from_back) {
    std::atomic<uint64_t>& word = lines_[owner].parts[part];
    uint64_t seen = word.load(std::memory_order_relaxed);
    for (;;) {
        const int64_t front = front_of(seen), back = back_of(seen);
        if (front >= back) return {};
        const int64_t half = (back - front + 1) / 2;
        const uint64_t left = from_back ? pack(tag_of(seen), front, back - half) : pack(tag_of(seen), front + half, back);
        if (word.compare_exchange_weak(seen, left, std::memory_order_relaxed))
            return from_back ? UnitRange{back - half, back} : UnitRange{front, front + half};
    }
}

}  // namespace hearth::cpu
