#pragma once
// A submission's commands as plain data (pipeline, push constant bytes and workgroups of each
// dispatch, the barriers between them, copies), written into a Vulkan command buffer only when
// the submission is flushed. Two lists that compare equal stand for the same vkCmd* stream, so a
// command buffer recorded from one can be submitted again in place of the other (Commands keeps
// the previous step's buffers for that). Pure data: tested without a device.
#include "backends/vulkan/vk_api.h"

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace hearth::vk {

// Whether every byte of a push constant struct belongs to a member. Lists compare push constants
// as bytes, and padding bytes hold whatever was there, so padding would defeat replay at random.
// Reading a padding byte is not a constant expression: static_assert(has_no_padding<Push>())
// does not compile for a struct with padding.
template <typename Push>
constexpr bool has_no_padding() {
    const auto bytes = std::bit_cast<std::array<unsigned char, sizeof(Push)>>(Push{});
    size_t sum = 0;
    for (unsigned char b : bytes) sum += b;  // reads every byte
    return sum <= 0xFF * bytes.size();
}

struct Groups {
    uint32_t x = 1;
    uint32_t y = 1;
    bool operator==(const Groups&) const = default;
};

enum class CommandKind : uint8_t { barrier, dispatch, copy };

struct Command {
    CommandKind kind = CommandKind::barrier;
    // dispatch: the pipeline and its layout, its push constants (`push_bytes` bytes of the list's
    // push bytes from `push_offset`) and its workgroups.
    VkPipeline pipeline = VK_NULL_HANDLE;
    VkPipelineLayout layout = VK_NULL_HANDLE;
    uint32_t push_offset = 0;
    uint32_t push_bytes = 0;
    Groups groups;
    // copy: `bytes` bytes from source at source_offset to target at target_offset.
    VkBuffer source = VK_NULL_HANDLE;
    VkBuffer target = VK_NULL_HANDLE;
    VkDeviceSize source_offset = 0;
    VkDeviceSize target_offset = 0;
    VkDeviceSize bytes = 0;
    bool operator==(const Command&) const = default;
};

class CommandList {
public:
    void barrier();
    void dispatch(VkPipeline pipeline, VkPipelineLayout layout, std::span<const std::byte> push, Groups groups);
    void copy(VkBuffer source, VkDeviceSize source_offset, VkBuffer target, VkDeviceSize target_offset,
              VkDeviceSize bytes);
    void clear();  // keeps the capacity for the next submission

    bool empty() const { return commands_.empty(); }
    // Copies are staging uploads or one-off page copies: a list with one is never kept for replay.
    bool replayable() const { return copies_ == 0; }
    std::span<const Command> commands() const { return commands_; }
    std::span<const std::byte> push(const Command& dispatch) const {
        return std::span(push_bytes_).subspan(dispatch.push_offset, dispatch.push_bytes);
    }

    // Equal lists record byte-identical command streams (the same handles, bytes and order).
    bool operator==(const CommandList& other) const {
        return commands_ == other.commands_ && push_bytes_ == other.push_bytes_;
    }

private:
    std::vector<Command> commands_;
    std::vector<std::byte> push_bytes_;  // every dispatch's push constants, in order
    size_t copies_ = 0;
};

}  // namespace hearth::vk
