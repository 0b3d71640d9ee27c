#pragma once
// Buffers with device addresses, and a bump allocator over them for weights, a step's
// activations and a step's host uploads.
#include "backends/vulkan/vk_api.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "backends/vulkan/vk_context.h"

namespace hearth::vk {

enum class MemoryKind {
    device,    // device-local; the host reaches it through staging copies
    upload,    // host-visible and coherent, written by the host, read by shaders
    readback,  // host-visible, preferably cached, written by the device, read by the host
};

// One VkBuffer on its own VkDeviceMemory, usable as a storage buffer through its device address
// and as a transfer source and destination. Host-visible kinds stay mapped.
class Buffer {
public:
    // Throws Error(out_of_memory) when the memory cannot be had, naming `purpose`.
    Buffer(const Context& context, VkDeviceSize size, MemoryKind kind, const char* purpose);
    ~Buffer();
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;

    VkBuffer handle() const { return buffer_; }
    uint64_t address() const { return address_; }
    std::byte* mapped() const { return mapped_; }
    VkDeviceSize size() const { return size_; }

private:
    const Context& context_;
    VkBuffer buffer_ = VK_NULL_HANDLE;
    VkDeviceMemory memory_ = VK_NULL_HANDLE;
    uint64_t address_ = 0;
    std::byte* mapped_ = nullptr;
    VkDeviceSize size_ = 0;
};

// A piece of an Arena's buffer.
struct Slice {
    const Buffer* buffer = nullptr;
    VkDeviceSize offset = 0;
    uint64_t address = 0;
    std::byte* mapped = nullptr;  // null for device memory
};

// Bump allocation over buffers of at least chunk_bytes; a request larger than that gets a buffer
// of its own. reset() frees everything at once (the device must be done with it) and, after a
// round that needed several buffers, keeps a single one big enough for all of it.
class Arena {
public:
    Arena(const Context& context, MemoryKind kind, VkDeviceSize chunk_bytes, const char* purpose);
    Slice alloc(VkDeviceSize bytes);
    void reset();

private:
    void add_chunk(VkDeviceSize bytes);

    const Context& context_;
    MemoryKind kind_;
    VkDeviceSize chunk_bytes_;
    const char* purpose_;
    std::vector<std::unique_ptr<Buffer>> chunks_;  // the last one is being filled
    std::vector<std::unique_ptr<Buffer>> own_;     // buffers of single large requests
    VkDeviceSize used_ = 0;                          // bytes used in the last chunk
    VkDeviceSize round_bytes_ = 0;                   // bytes handed out since the last reset
};

inline constexpr VkDeviceSize kAlignment = 256;  // every allocation starts on this boundary

}  // namespace hearth::vk
