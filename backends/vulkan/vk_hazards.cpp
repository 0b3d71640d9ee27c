#include "backends/vulkan/vk_hazards.h"

#include <algorithm>

namespace hearth::vk {
namespace {

bool overlaps_any(const Access& a, const std::vector<Access>& ranges) {
    return std::any_of(ranges.begin(), ranges.end(), [&](const Access& b) { return overlaps(a, b); });
}

}  // namespace

bool overlaps(const Access& a, const Access& b) {
    return a.bytes > 0 && b.bytes > 0 && a.address < b.address + b.bytes && b.address < a.address + a.bytes;
}

bool HazardTracker::conflicts(std::span<const Access> accesses) const {
    for (const Access& a : accesses) {
        if (overlaps_any(a, written_)) return true;                               // RAW, WAW
        if (a.kind == AccessKind::write && overlaps_any(a, read_)) return true;  // WAR
    }
    return false;
}

void HazardTracker::add(std::span<const Access> accesses) {
    for (const Access& a : accesses) (a.kind == AccessKind::write ? written_ : read_).push_back(a);
}

void HazardTracker::clear() {
    written_.clear();
    read_.clear();
}

}  // namespace hearth::vk
