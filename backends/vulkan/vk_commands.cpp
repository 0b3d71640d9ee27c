#include "backends/vulkan/vk_commands.h"

#include <cstdint>

namespace hearth::vk {
namespace {

void record_barrier(const Api& api, VkCommandBuffer buffer) {
    VkMemoryBarrier memory{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
    memory.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    memory.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT |
                           VK_ACCESS_TRANSFER_WRITE_BIT | VK_ACCESS_HOST_READ_BIT;
    const VkPipelineStageFlags stages = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
    api.vkCmdPipelineBarrier(buffer, stages, stages | VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &memory, 0, nullptr, 0, nullptr);
}

}  // namespace

Commands::Commands(const Context& context) : context_(context) {
    VkCommandPoolCreateInfo pool_info{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    pool_info.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    pool_info.queueFamilyIndex = context.queue_family();
    check(context_.api().vkCreateCommandPool(context.device(), &pool_info, nullptr, &pool_), "vkCreateCommandPool");
    VkFenceCreateInfo fence_info{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    try {
        one_shot_ = allocate_buffer();
        check(context_.api().vkCreateFence(context.device(), &fence_info, nullptr, &fence_), "vkCreateFence");
    } catch (...) {
        context_.api().vkDestroyCommandPool(context.device(), pool_, nullptr);
        throw;
    }
}

Commands::~Commands() {
    context_.api().vkDestroyFence(context_.device(), fence_, nullptr);
    context_.api().vkDestroyCommandPool(context_.device(), pool_, nullptr);  // frees its buffers
}

VkCommandBuffer Commands::allocate_buffer() {
    VkCommandBufferAllocateInfo alloc{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    alloc.commandPool = pool_;
    alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    alloc.commandBufferCount = 1;
    VkCommandBuffer buffer = VK_NULL_HANDLE;
    check(context_.api().vkAllocateCommandBuffers(context_.device(), &alloc, &buffer), "vkAllocateCommandBuffers");
    return buffer;
}

void Commands::order(std::span<const Access> accesses) {
    if (hazards_.conflicts(accesses)) {
        pending_.barrier();
        hazards_.clear();
    }
    hazards_.add(accesses);
}

void Commands::dispatch(VkPipeline pipeline, VkPipelineLayout layout, std::span<const std::byte> push, Groups groups,
                        std::span<const Access> accesses) {
    order(accesses);
    pending_.dispatch(pipeline, layout, push, groups);
}

void Commands::copy(const Buffer& source, VkDeviceSize source_offset, const Buffer& target, VkDeviceSize target_offset,
                    VkDeviceSize bytes) {
    const Access accesses[] = {read_access(source.address() + source_offset, bytes),
                               write_access(target.address() + target_offset, bytes)};
    order(accesses);
    pending_.copy(source.handle(), source_offset, target.handle(), target_offset, bytes);
}

// vkBeginCommandBuffer resets the buffer (the pool allows resetting single buffers).
void Commands::record(VkCommandBuffer buffer, const CommandList& commands, VkCommandBufferUsageFlags usage) {
    const Api& api = context_.api();
    VkCommandBufferBeginInfo info{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    info.flags = usage;
    check(api.vkBeginCommandBuffer(buffer, &info), "vkBeginCommandBuffer");
    for (const Command& c : commands.commands()) {
        switch (c.kind) {
            case CommandKind::barrier: record_barrier(api, buffer); break;
            case CommandKind::dispatch: {
                const std::span<const std::byte> push = commands.push(c);
                api.vkCmdBindPipeline(buffer, VK_PIPELINE_BIND_POINT_COMPUTE, c.pipeline);
                api.vkCmdPushConstants(buffer, c.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0,
                                       static_cast<uint32_t>(push.size()), push.data());
                api.vkCmdDispatch(buffer, c.groups.x, c.groups.y, 1);
                break;
            }
            case CommandKind::copy: {
                const VkBufferCopy region{c.source_offset, c.target_offset, c.bytes};
                api.vkCmdCopyBuffer(buffer, c.source, c.target, 1, &region);
                break;
            }
        }
    }
    check(api.vkEndCommandBuffer(buffer), "vkEndCommandBuffer");
}

VkCommandBuffer Commands::buffer_for(size_t index) {
    if (!pending_.replayable() || index >= kMaxKeptSubmissions) {
        record(one_shot_, pending_, VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT);
        return one_shot_;
    }
    if (index >= kept_.size()) kept_.resize(index + 1);
    Kept& kept = kept_[index];
    if (kept.buffer == VK_NULL_HANDLE) kept.buffer = allocate_buffer();
    if (kept.commands == pending_) {  // pending_ is never empty here
        ++counts_.reused;
        return kept.buffer;
    }
    kept.commands.clear();  // the buffer no longer holds them, even if recording fails
    record(kept.buffer, pending_, 0);
    std::swap(kept.commands, pending_);
    return kept.buffer;
}

void Commands::submit(VkCommandBuffer buffer) {
    const Api& api = context_.api();
    VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &buffer;
    check(api.vkResetFences(context_.device(), 1, &fence_), "vkResetFences");
    check(api.vkQueueSubmit(context_.queue(), 1, &submit, fence_), "vkQueueSubmit");
    ++counts_.submissions;
    check(api.vkWaitForFences(context_.device(), 1, &fence_, VK_TRUE, UINT64_MAX), "vkWaitForFences");
}

void Commands::flush() {
    if (pending_.empty()) return;
    if (hazards_.has_writes()) pending_.barrier();  // to the host, and to the next submission's commands
    hazards_.clear();
    const size_t index = step_submissions_++;
    try {
        submit(buffer_for(index));
    } catch (...) {
        pending_.clear();
        throw;
    }
    pending_.clear();
}

void Commands::begin_step() {
    flush();
    step_submissions_ = 0;
}

}  // namespace hearth::vk
