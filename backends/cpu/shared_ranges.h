#pragma once
// The ranges of a decode job with stealing. Decode splits each matrix of a job into one contiguous
// range of units (panels, rows) per thread, which streams each thread's weights in address order; but
// one thread often finishes first (a worker starts ~450 ns after the job is published when the
// threads sit on different cores, and one of this VM's vCPUs streams slower), and the other then
// waited. Here the owner of a range takes its units from the front, half of what is left at a time,
// and a thread that has run out takes half of what is left from the back of another's.
//
// Each range is one 64-bit word (job tag, front, back) changed by compare-and-swap, and a thread's
// words share one cache line, so an owner that nobody robs touches only its own line. Whoever comes
// first in a job opens a range (the owner, or a thief when the owner starts late); the tag tells a
// range of this job from the last one's.
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>

namespace hearth::cpu {

struct UnitRange {
    int64_t begin = 0;
    int64_t end = 0;
    bool empty() const { return begin >= end; }
};

class SharedRanges {
public:
    static constexpr int kMaxParts = 4;             // ranges a thread holds in one job (one per matrix)
    static constexpr int64_t kMaxUnits = (int64_t{1} << 24) - 1;  // a range's end fits in 24 bits

    explicit SharedRanges(int threads);

    // Every thread starts each job by opening all its parts, the unused ones empty, so that no
    // word keeps a tag older than the last job's. `tag` must differ from the last job's.
    void open(int owner, int part, uint16_t tag, UnitRange range);
    // The owner's next units: half of those left (at least one), or an empty range when none are.
    UnitRange claim_front(int owner, int part);
    // Another thread's units from the back of owner's range: half of those left, or empty.
    UnitRange steal_back(int owner, int part);

private:
    // Half of the units left in owner's range (at least one), from its front or its back.
    UnitRange take_half(int owner, int part, bool from_back);

    struct alignas(64) Line {
        std::array<std::atomic<uint64_t>, kMaxParts> parts{};
    };
    std::unique_ptr<Line[]> lines_;
};

}  // namespace hearth::cpu
