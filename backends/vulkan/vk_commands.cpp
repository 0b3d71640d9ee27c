#include "backends/vulkan/vk_commands.h"

#include <cstdint>

namespace hearth::vk {

Commands::Commands(const Context& context) : context_(context) {
    VkDevice device = context.device();
    VkCommandPoolCreateInfo pool_info{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    pool_info.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    pool_info.queueFamilyIndex = context.queue_family();
    check(context_.api().vkCreateCommandPool(device, &pool_info, nullptr, &pool_), "vkCreateCommandPool");
    VkCommandBufferAllocateInfo alloc{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    alloc.commandPool = pool_;
    alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    alloc.commandBufferCount = 1;
    VkFenceCreateInfo fence_info{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    try {
        check(context_.api().vkAllocateCommandBuffers(device, &alloc, &buffer_), "vkAllocateCommandBuffers");
        check(context_.api().vkCreateFence(device, &fence_info, nullptr, &fence_), "vkCreateFence");
    } catch (...) {
        context_.api().vkDestroyCommandPool(device, pool_, nullptr);
        throw;
    }
}

Commands::~Commands() {
    if (recording_) context_.api().vkEndCommandBuffer(buffer_);
    context_.api().vkDestroyFence(context_.device(), fence_, nullptr);
    context_.api().vkDestroyCommandPool(context_.device(), pool_, nullptr);
}

void Commands::begin_if_idle() {
    if (recording_) return;
    VkCommandBufferBeginInfo info{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    info.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    check(context_.api().vkBeginCommandBuffer(buffer_, &info), "vkBeginCommandBuffer");
    recording_ = true;
}

void Commands::barrier() {
    VkMemoryBarrier memory{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
    memory.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    memory.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT |
                           VK_ACCESS_TRANSFER_WRITE_BIT | VK_ACCESS_HOST_READ_BIT;
    const VkPipelineStageFlags stages = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
    context_.api().vkCmdPipelineBarrier(buffer_, stages, stages | VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &memory, 0, nullptr, 0, nullptr);
}

void Commands::order(std::span<const Access> accesses) {
    if (hazards_.conflicts(accesses)) {
        barrier();
        hazards_.clear();
    }
    hazards_.add(accesses);
}

void Commands::dispatch(VkPipeline pipeline, VkPipelineLayout layout, std::span<const std::byte> push, Groups groups,
                        std::span<const Access> accesses) {
    begin_if_idle();
    order(accesses);
    context_.api().vkCmdBindPipeline(buffer_, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
    context_.api().vkCmdPushConstants(buffer_, layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, static_cast<uint32_t>(push.size()), push.data());
    context_.api().vkCmdDispatch(buffer_, groups.x, groups.y, 1);
}

void Commands::copy(const Buffer& source, VkDeviceSize source_offset, const Buffer& target, VkDeviceSize target_offset,
                    VkDeviceSize bytes) {
    begin_if_idle();
    const Access accesses[] = {read_access(source.address() + source_offset, bytes),
                               write_access(target.address() + target_offset, bytes)};
    order(accesses);
    const VkBufferCopy region{source_offset, target_offset, bytes};
    context_.api().vkCmdCopyBuffer(buffer_, source.handle(), target.handle(), 1, &region);
}

void Commands::flush() {
    if (!recording_) return;
    if (hazards_.has_writes()) barrier();  // to the host, and to the next submission's commands
    hazards_.clear();
    recording_ = false;
    check(context_.api().vkEndCommandBuffer(buffer_), "vkEndCommandBuffer");
    VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &buffer_;
    check(context_.api().vkResetFences(context_.device(), 1, &fence_), "vkResetFences");
    check(context_.api().vkQueueSubmit(context_.queue(), 1, &submit, fence_), "vkQueueSubmit");
    check(context_.api().vkWaitForFences(context_.device(), 1, &fence_, VK_TRUE, UINT64_MAX), "vkWaitForFences");
    check(context_.api().vkResetCommandBuffer(buffer_, 0), "vkResetCommandBuffer");
}

}  // namespace hearth::vk
