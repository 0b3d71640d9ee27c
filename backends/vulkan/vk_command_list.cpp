#include "backends/vulkan/vk_command_list.h"

namespace hearth::vk {

void CommandList::barrier() { commands_.push_back(Command{}); }

void CommandList::dispatch(VkPipeline pipeline, VkPipelineLayout layout, std::span<const std::byte> push,
                           Groups groups) {
    Command command;
    command.kind = CommandKind::dispatch;
    command.pipeline = pipeline;
    command.layout = layout;
    command.push_offset = static_cast<uint32_t>(push_bytes_.size());
    command.push_bytes = static_cast<uint32_t>(push.size());
    command.groups = groups;
    push_bytes_.insert(push_bytes_.end(), push.begin(), push.end());
    commands_.push_back(command);
}

void CommandList::copy(VkBuffer source, VkDeviceSize source_offset, VkBuffer target, VkDeviceSize target_offset,
                       VkDeviceSize bytes) {
    Command command;
    command.kind = CommandKind::copy;
    command.source = source;
    command.target = target;
    command.source_offset = source_offset;
    command.target_offset = target_offset;
    command.bytes = bytes;
    commands_.push_back(command);
    ++copies_;
}

void CommandList::clear() {
    commands_.clear();
    push_bytes_.clear();
    copies_ = 0;
}

}  // namespace hearth::vk
