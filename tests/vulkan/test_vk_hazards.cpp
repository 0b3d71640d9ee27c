// The barrier decisions of vk_hazards.h: pure logic, no device needed.
#include <doctest/doctest.h>

#include <vector>

#include "backends/vulkan/vk_hazards.h"

namespace hearth::vk {
namespace {

bool conflicts(const HazardTracker& tracker, std::vector<Access> accesses) { return tracker.conflicts(accesses); }

TEST_CASE("vulkan hazards: ranges overlap when they share a byte") {
    CHECK(overlaps(read_access(100, 10), read_access(109, 1)));
    CHECK(overlaps(read_access(100, 10), write_access(90, 11)));
    CHECK(overlaps(read_access(100, 10), write_access(0, 1000)));  // one inside the other
    CHECK_FALSE(overlaps(read_access(100, 10), read_access(110, 10)));  // adjacent
    CHECK_FALSE(overlaps(read_access(100, 10), read_access(90, 10)));
    CHECK_FALSE(overlaps(read_access(100, 0), read_access(100, 10)));  // empty
}

TEST_CASE("vulkan hazards: reads and writes of other memory need no barrier") {
    HazardTracker tracker;
    CHECK_FALSE(tracker.has_writes());
    // Q, K and V matmuls: the same weights-and-input reads, separate outputs.
    tracker.add(std::vector<Access>{read_access(0, 1000), read_access(5000, 256), write_access(8000, 512)});
    CHECK(tracker.has_writes());
    CHECK_FALSE(conflicts(tracker, {read_access(1000, 1000), read_access(5000, 256), write_access(8512, 128)}));
    CHECK_FALSE(conflicts(tracker, {read_access(0, 1000), write_access(9000, 64)}));
}

TEST_CASE("vulkan hazards: read after write, write after write and write after read need a barrier") {
    HazardTracker tracker;
    tracker.add(std::vector<Access>{read_access(0, 100), write_access(1000, 100)});
    CHECK(conflicts(tracker, {read_access(1099, 4)}));              // reads what was written
    CHECK(conflicts(tracker, {write_access(1050, 4)}));             // writes what was written
    CHECK(conflicts(tracker, {write_access(96, 8)}));               // writes what was read
    CHECK_FALSE(conflicts(tracker, {read_access(50, 100)}));        // reading what was read is fine
    CHECK(conflicts(tracker, {read_access(500, 10), read_access(1000, 1)}));  // any access counts
}

TEST_CASE("vulkan hazards: after a barrier only later accesses count") {
    HazardTracker tracker;
    tracker.add(std::vector<Access>{write_access(0, 64)});
    REQUIRE(conflicts(tracker, {read_access(0, 64)}));
    tracker.clear();
    CHECK_FALSE(tracker.has_writes());
    CHECK_FALSE(conflicts(tracker, {read_access(0, 64), write_access(0, 64)}));
    tracker.add(std::vector<Access>{read_access(0, 64), write_access(0, 64)});  // in place, e.g. scale
    CHECK(conflicts(tracker, {read_access(32, 4)}));
}

}  // namespace
}  // namespace hearth::vk
