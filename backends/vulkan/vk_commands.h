#pragma once
// One command buffer that ops are recorded into and that is submitted when the host needs a
// result (flush). A full compute/transfer memory barrier goes only before a command that touches
// memory in a way that conflicts with the commands since the last barrier (vk_hazards.h: each
// command names the byte ranges it reads and writes), so independent ops (the Q, K and V
// matmuls of one input; gate and up) run without barriers between them. Flush ends with a
// barrier when anything was written since the last one, making the results visible to the host
// and to later submissions.
#include "backends/vulkan/vk_api.h"

#include <cstddef>
#include <span>

#include "backends/vulkan/vk_context.h"
#include "backends/vulkan/vk_hazards.h"
#include "backends/vulkan/vk_memory.h"

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

    // `accesses`: every range of device memory the dispatch reads or writes (host-written uploads,
    // which no command writes, may be left out).
    void dispatch(VkPipeline pipeline, VkPipelineLayout layout, std::span<const std::byte> push, Groups groups,
                  std::span<const Access> accesses);
    void copy(const Buffer& source, VkDeviceSize source_offset, const Buffer& target, VkDeviceSize target_offset,
              VkDeviceSize bytes);
    // Submits everything recorded since the last flush and waits for it; nothing to do when empty.
    void flush();

private:
    void begin_if_idle();
    // Records a barrier first when the accesses conflict with those since the last one.
    void order(std::span<const Access> accesses);
    void barrier();

    const Context& context_;
    VkCommandPool pool_ = VK_NULL_HANDLE;
    VkCommandBuffer buffer_ = VK_NULL_HANDLE;
    VkFence fence_ = VK_NULL_HANDLE;
    bool recording_ = false;
    HazardTracker hazards_;  // accesses recorded since the last barrier
};

}  // namespace hearth::vk
