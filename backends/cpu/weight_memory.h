#pragma once
// Host memory for the weights the CPU backend repacks, carved from large chunks that the kernel is
// asked to back with transparent huge pages (MADV_HUGEPAGE; honoured where THP is "madvise" or
// "always"). Decoding streams every weight once per token: with 4 KiB pages each page of that
// stream is a TLB miss and a page walk, and the small matrices of a small model (SmolLM2's are
// 0.1-0.6 MB) are each too short for a huge page of their own.
#include <cstdint>
#include <vector>

namespace hearth::cpu {

class WeightMemory {
public:
    WeightMemory() = default;
    ~WeightMemory();
    WeightMemory(const WeightMemory&) = delete;
    WeightMemory& operator=(const WeightMemory&) = delete;

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
