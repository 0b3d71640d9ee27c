// The activation arena: allocations are 64-byte aligned and disjoint, release_to hands the memory
// after a mark out again (the same addresses, also across blocks), and reset merges a step's blocks
// so that the next step of the same size needs one block and no new memory.
#include <doctest/doctest.h>

#include <cstdint>

#include "backends/cpu/arena.h"

namespace hearth::cpu {
namespace {

constexpr size_t kBlockFloats = size_t{1} << 20;  // the arena's smallest block

bool aligned64(const float* p) { return reinterpret_cast<uintptr_t>(p) % 64 == 0; }

TEST_CASE("arena: aligned, disjoint, and reused after release_to") {
    Arena arena;
    float* x = arena.alloc(3);
    const Arena::Mark layer = arena.mark();
    float* a = arena.alloc(100);
    float* b = arena.alloc(kBlockFloats);  // does not fit the first block: a second one
    CHECK(aligned64(x));
    CHECK(aligned64(a));
    CHECK(aligned64(b));
    CHECK(a >= x + 16);  // 3 floats rounded up to 64 bytes
    CHECK((b >= a + 100 || b + kBlockFloats <= a));
    CHECK(arena.capacity() == 2 * kBlockFloats);

    arena.release_to(layer);
    CHECK(arena.alloc(100) == a);           // the same memory for the next layer
    CHECK(arena.alloc(kBlockFloats) == b);  // and the second block, without a third
    CHECK(arena.capacity() == 2 * kBlockFloats);
    CHECK_THROWS(arena.release_to({5, 0}));  // a mark ahead of the allocations

    arena.reset();  // merges the two blocks into one
    CHECK(arena.capacity() == 2 * kBlockFloats);
    float* first = arena.alloc(kBlockFloats);
    arena.alloc(kBlockFloats - 16);
    CHECK(arena.capacity() == 2 * kBlockFloats);  // the step fits the merged block
    arena.reset();
    CHECK(arena.alloc(1) == first);
}

}  // namespace
}  // namespace hearth::cpu
