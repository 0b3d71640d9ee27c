#pragma once
// One command buffer that ops are recorded into and that is submitted when the host needs a
// result (flush). Every recorded command is followed by a full compute/transfer memory barrier,
// so each dispatch sees everything before it: simple and always correct; the ops are few and
// large enough that the barriers cost little.
#include "backends/vulkan/vk_api.h"

#include <cstddef>
#include <span>

#include "backends/vulkan/vk_context.h"

namespace hearth::vk {

struct Groups {
    uint32_t x = 1;
    uint32_t y = 1;
};

class Commands {
public:
    explicit Commands(const Context& context);
    ~Commands();
    Commands(const Commands&) = delete;
    Commands& operator=(const Commands&) = delete;

    void dispatch(VkPipeline pipeline, VkPipelineLayout layout, std::span<const std::byte> push, Groups groups);
    void copy(VkBuffer source, VkDeviceSize source_offset, VkBuffer target, VkDeviceSize target_offset,
              VkDeviceSize bytes);
    // Submits everything recorded since the last flush and waits for it; nothing to do when empty.
    void flush();

private:
    void begin_if_idle();
    void barrier();

    const Context& context_;
    VkCommandPool pool_ = VK_NULL_HANDLE;
    VkCommandBuffer buffer_ = VK_NULL_HANDLE;
    VkFence fence_ = VK_NULL_HANDLE;
    bool recording_ = false;
};

}  // namespace hearth::vk
