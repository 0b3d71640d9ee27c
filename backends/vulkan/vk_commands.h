#pragma once
// The commands of a step, submitted when the host needs a result (flush). Ops are collected as a
// CommandList and written into a Vulkan command buffer at flush. A full compute/transfer memory
// barrier goes only before a command that touches memory in a way that conflicts with the
// commands since the last barrier (vk_hazards.h: each command names the byte ranges it reads and
// writes), so independent ops (the Q, K and V matmuls of one input; gate and up) run without
// barriers between them. Flush ends with a barrier when anything was written since the last one,
// making the results visible to the host and to later submissions.
//
// Replay: the command buffers of a step's first kMaxKeptSubmissions submissions are kept with
// their lists. When a submission's list equals the one kept at the same index of the previous
// step (steady decoding: same batch shape, per-step values only in uploaded memory), the kept
// buffer is submitted again instead of recording a new one. Lists with copies are never kept.
#include "backends/vulkan/vk_api.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "backends/vulkan/vk_command_list.h"
#include "backends/vulkan/vk_context.h"
#include "backends/vulkan/vk_hazards.h"
#include "backends/vulkan/vk_memory.h"

namespace hearth::vk {

struct SubmissionCounts {
    uint64_t submissions = 0;  // command buffers submitted
    uint64_t reused = 0;       // of which kept buffers submitted again without recording
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
    // Submits everything collected since the last flush and waits for it; nothing to do when empty.
    void flush();
    // Flushes, and numbers the following submissions from 0 again (the index replay matches on).
    void begin_step();
    SubmissionCounts counts() const { return counts_; }

private:
    // A command buffer kept for replay and the list it was recorded from (empty: nothing valid).
    struct Kept {
        VkCommandBuffer buffer = VK_NULL_HANDLE;
        CommandList commands;
    };
    static constexpr size_t kMaxKeptSubmissions = 4;

    // Records a barrier first when the accesses conflict with those since the last one.
    void order(std::span<const Access> accesses);
    // The buffer to submit for pending_ as the step's submission `index`: a kept one that matches,
    // else one recorded now (kept when replayable and within kMaxKeptSubmissions).
    VkCommandBuffer buffer_for(size_t index);
    void record(VkCommandBuffer buffer, const CommandList& commands, VkCommandBufferUsageFlags usage);
    void submit(VkCommandBuffer buffer);
    VkCommandBuffer allocate_buffer();

    const Context& context_;
    VkCommandPool pool_ = VK_NULL_HANDLE;
    VkCommandBuffer one_shot_ = VK_NULL_HANDLE;  // for lists that are not kept
    VkFence fence_ = VK_NULL_HANDLE;
    std::vector<Kept> kept_;                      // by submission index within a step
    size_t step_submissions_ = 0;                 // flushed since begin_step()
    CommandList pending_;                         // collected since the last flush
    HazardTracker hazards_;                       // accesses collected since the last barrier
    SubmissionCounts counts_;
};

}  // namespace hearth::vk
