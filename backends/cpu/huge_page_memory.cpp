#include "backends/cpu/huge_page_memory.h"

#include <sys/mman.h>

#include <algorithm>
#include <string>

#include "core/error.h"

namespace hearth::cpu {
namespace {

constexpr uint64_t kHugePage = uint64_t{2} << 20;
constexpr uint64_t kChunkBytes = uint64_t{64} << 20;  // virtual; pages are committed as they are written
constexpr uint64_t kAlign = 64;

uint64_t round_up(uint64_t bytes, uint64_t unit) { return (bytes + unit - 1) / unit * unit; }

}  // namespace

HugePageMemory::~HugePageMemory() {
    for (const Chunk& chunk : chunks_) munmap(chunk.data, chunk.size);
}

uint8_t* HugePageMemory::allocate(uint64_t bytes) {
    bytes = round_up(bytes, kAlign);
    if (chunks_.empty() || used_ + bytes > chunks_.back().size) {
        // One huge page more than needed, so that the chunk can start on a huge-page boundary.
        const uint64_t size = round_up(std::max(bytes, kChunkBytes), kHugePage) + kHugePage;
        void* mapped = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        require(mapped != MAP_FAILED, ErrorKind::out_of_memory,
                [&] { return "cannot map " + std::to_string(bytes) + " bytes of memory"; });
        chunks_.push_back({static_cast<uint8_t*>(mapped), size});
        const auto start = reinterpret_cast<uintptr_t>(mapped);
        used_ = round_up(start, kHugePage) - start;
        madvise(chunks_.back().data + used_, size - used_, MADV_HUGEPAGE);  // advice only: 4 KiB pages otherwise
    }
    uint8_t* out = chunks_.back().data + used_;
    used_ += bytes;
    return out;
}

}  // namespace hearth::cpu
