#pragma once
// Memory read bandwidth as decoding sees it: threads summing disjoint slices of a buffer far
// larger than the caches. Decoding a token reads every weight once, so tokens/s x weight bytes
// over this figure says how close generation runs to the machine's limit.
#include <cstdint>

#include "backends/cpu/huge_page_memory.h"

namespace hearth::cli {

class ReadBandwidthProbe {
public:
    // Allocates and commits the buffer once, so that each reading times reads alone.
    ReadBandwidthProbe(int threads, int64_t buffer_bytes = int64_t{512} << 20);
    // 1e9 bytes per second, the median of `runs` reads of the whole buffer.
    double measure(int runs = 3);
    int threads() const { return threads_; }
    int64_t buffer_bytes() const { return words_ * 8; }

private:
    int threads_;
    int64_t words_;
    // The memory the CPU backend keeps its weights in (huge pages where the kernel grants them):
    // with 4 KiB pages the read would also time a TLB miss per page, which decoding does not pay.
    cpu::HugePageMemory memory_;
    const uint64_t* buffer_ = nullptr;
};

}  // namespace hearth::cli
