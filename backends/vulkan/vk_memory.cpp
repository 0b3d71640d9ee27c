#include "backends/vulkan/vk_memory.h"

#include <algorithm>
#include <string>

#include "core/error.h"

namespace hearth::vk {
namespace {

VkDeviceSize align_up(VkDeviceSize n) { return (n + kAlignment - 1) / kAlignment * kAlignment; }

std::string mib_text(VkDeviceSize bytes) {
    return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MiB";
}

struct MemoryFlags {
    VkMemoryPropertyFlags required;
    VkMemoryPropertyFlags preferred;
};

MemoryFlags flags_for(MemoryKind kind) {
    switch (kind) {
        case MemoryKind::device: return {VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT};
        case MemoryKind::upload:
            return {VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                    VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT};
        case MemoryKind::readback:
            return {VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                    VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT |
                        VK_MEMORY_PROPERTY_HOST_CACHED_BIT};
    }
    return {0, 0};
}

}  // namespace

Buffer::Buffer(const Context& context, VkDeviceSize size, MemoryKind kind, const char* purpose)
    : context_(context), size_(size) {
    const std::string what = std::string(purpose) + ": " + mib_text(size);
    require(size > 0, ErrorKind::internal, "Vulkan buffer of zero bytes for " + std::string(purpose));
    require(size <= context.max_allocation(), ErrorKind::out_of_memory,
            what + " is more than the device's largest allocation (" + mib_text(context.max_allocation()) + ")");
    VkDevice device = context.device();
    VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    info.size = size;
    info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                 VK_BUFFER_USAGE_TRANSFER_DST_BIT | VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    check(context_.api().vkCreateBuffer(device, &info, nullptr, &buffer_), "vkCreateBuffer for " + what);
    try {
        VkMemoryRequirements needs;
        context_.api().vkGetBufferMemoryRequirements(device, buffer_, &needs);
        const MemoryFlags flags = flags_for(kind);
        const uint32_t type = context.memory_type(needs.memoryTypeBits, flags.required, flags.preferred);
        require(needs.size <= context.heap_size(type), ErrorKind::out_of_memory,
                what + " is more than the device's memory heap (" + mib_text(context.heap_size(type)) + ")");
        VkMemoryAllocateFlagsInfo address_flags{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO};
        address_flags.flags = VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT;
        VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
        alloc.pNext = &address_flags;
        alloc.allocationSize = needs.size;
        alloc.memoryTypeIndex = type;
        check(context_.api().vkAllocateMemory(device, &alloc, nullptr, &memory_), "vkAllocateMemory for " + what);
        check(context_.api().vkBindBufferMemory(device, buffer_, memory_, 0), "vkBindBufferMemory for " + what);
        if (kind != MemoryKind::device) {
            void* host = nullptr;
            check(context_.api().vkMapMemory(device, memory_, 0, VK_WHOLE_SIZE, 0, &host), "vkMapMemory for " + what);
            mapped_ = static_cast<std::byte*>(host);
        }
        VkBufferDeviceAddressInfo address_info{VK_STRUCTURE_TYPE_BUFFER_DEVICE_ADDRESS_INFO};
        address_info.buffer = buffer_;
        address_ = context_.api().vkGetBufferDeviceAddress(device, &address_info);
    } catch (...) {
        if (memory_ != VK_NULL_HANDLE) context_.api().vkFreeMemory(device, memory_, nullptr);
        context_.api().vkDestroyBuffer(device, buffer_, nullptr);
        throw;
    }
}

Buffer::~Buffer() {
    context_.api().vkDestroyBuffer(context_.device(), buffer_, nullptr);
    context_.api().vkFreeMemory(context_.device(), memory_, nullptr);  // unmaps implicitly
}

Arena::Arena(const Context& context, MemoryKind kind, VkDeviceSize chunk_bytes, const char* purpose)
    : context_(context), kind_(kind), chunk_bytes_(chunk_bytes), purpose_(purpose) {}

void Arena::add_chunk(VkDeviceSize bytes) {
    chunks_.push_back(std::make_unique<Buffer>(context_, bytes, kind_, purpose_));
    used_ = 0;
}

Slice Arena::alloc(VkDeviceSize bytes) {
    const VkDeviceSize size = align_up(std::max<VkDeviceSize>(bytes, 1));
    round_bytes_ += size;
    if (size > chunk_bytes_) {
        own_.push_back(std::make_unique<Buffer>(context_, size, kind_, purpose_));
        const Buffer* buffer = own_.back().get();
        return {buffer, 0, buffer->address(), buffer->mapped()};
    }
    if (chunks_.empty() || used_ + size > chunks_.back()->size()) add_chunk(chunk_bytes_);
    const Buffer* buffer = chunks_.back().get();
    const Slice slice{buffer, used_, buffer->address() + used_, buffer->mapped() ? buffer->mapped() + used_ : nullptr};
    used_ += size;
    return slice;
}

void Arena::reset() {
    if (chunks_.size() + own_.size() > 1) {
        const VkDeviceSize merged = std::min(std::max(chunk_bytes_, round_bytes_), context_.max_allocation());
        chunks_.clear();
        own_.clear();
        chunk_bytes_ = merged;
        add_chunk(merged);
    }
    used_ = 0;
    round_bytes_ = 0;
}

}  // namespace hearth::vk
