#pragma once
// Which recorded commands need a memory barrier between them: pure logic over the byte ranges
// (buffer device addresses) that each command reads and writes, kept apart from the Vulkan calls
// so it can be tested without a device. A command must wait for those recorded since the last
// barrier when it reads or writes memory they wrote (read after write, write after write) or
// writes memory they read (write after read); otherwise it may run alongside them.
#include <cstdint>
#include <span>
#include <vector>

namespace hearth::vk {

enum class AccessKind { read, write };

// [address, address + bytes) of device memory, read or written by one command.
struct Access {
    uint64_t address = 0;
    uint64_t bytes = 0;
    AccessKind kind = AccessKind::read;
};

inline Access read_access(uint64_t address, uint64_t bytes) { return {address, bytes, AccessKind::read}; }
inline Access write_access(uint64_t address, uint64_t bytes) { return {address, bytes, AccessKind::write}; }

class HazardTracker {
public:
    // True when a command with these accesses must wait for the commands added since clear().
    bool conflicts(std::span<const Access> accesses) const;
    // Notes a command recorded since the last barrier.
    void add(std::span<const Access> accesses);
    // A barrier was recorded: every earlier access is complete and visible.
    void clear();
    bool has_writes() const { return !written_.empty(); }

private:
    std::vector<Access> written_;
    std::vector<Access> read_;
};

bool overlaps(const Access& a, const Access& b);

}  // namespace hearth::vk
