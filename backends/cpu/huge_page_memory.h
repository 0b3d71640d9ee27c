#pragma once
// Host memory carved from large chunks that the kernel is asked to back with transparent huge pages
// (MADV_HUGEPAGE; honoured where THP is "madvise" or "always"), for what a token streams through:
// the weights the CPU backend repacks and the KV pages. With 4 KiB pages each page of such a stream
// is a TLB miss and a page walk, and the small matrices of a small model (SmolLM2's are 0.1-0.6 MB)
// are each too short for a huge page of their own. Pages are committed as they are first written,
// 2 MiB at a time where the advice is taken.
#include <cstdint>
#include <vector>

namespace hearth::cpu {

class HugePageMemory {
public:
    HugePageMemory() = default;
    ~HugePageMemory();
    HugePageMemory(const HugePageMemory&) = delete;
    HugePageMemory& operator=(const HugePageMemory&) = delete;

    // 64-byte aligned, uninitialised, alive as long as this object. Throws Error(out_of_memory).
    uint8_t* allocate(uint64_t bytes);

private:
    struct Chunk {
        uint8_t* data;
        uint64_t size;
    };
    std::vector<Chunk> chunks_;
    uint64_t used_ = 0;  // bytes handed out from the last chunk
};

}  // namespace hearth::cpu
