// Huge-page memory (weights, KV pages): aligned, disjoint blocks that keep their bytes, any size.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "backends/cpu/huge_page_memory.h"

namespace hearth::cpu {
namespace {

TEST_CASE("huge-page memory hands out aligned, disjoint blocks that keep what is written to them") {
    HugePageMemory memory;
    struct Block {
        uint8_t* data;
        uint64_t size;
    };
    std::vector<Block> blocks;
    // Small matrices, one larger than a chunk, odd sizes: each filled with its own byte.
    const uint64_t sizes[] = {100, 4096, 1, 3 << 20, 70ull << 20, 12345, 64};
    for (uint64_t size : sizes) {
        uint8_t* data = memory.allocate(size);
        CHECK(reinterpret_cast<uintptr_t>(data) % 64 == 0);
        std::fill_n(data, size, static_cast<uint8_t>(blocks.size() + 1));
        blocks.push_back({data, size});
    }
    CHECK(reinterpret_cast<uintptr_t>(blocks[0].data) % (2u << 20) == 0);  // a chunk starts on a huge page
    for (size_t i = 0; i < blocks.size(); ++i) {
        const auto expected = static_cast<uint8_t>(i + 1);
        CHECK(std::all_of(blocks[i].data, blocks[i].data + blocks[i].size, [&](uint8_t b) { return b == expected; }));
        for (size_t j = i + 1; j < blocks.size(); ++j)  // disjoint
            CHECK((blocks[i].data + blocks[i].size <= blocks[j].data || blocks[j].data + blocks[j].size <= blocks[i].data));
    }
}

}  // namespace
}  // namespace hearth::cpu
