// Replay's comparison of collected commands (vk_command_list.h): pure data, no device needed.
#include <doctest/doctest.h>

#include <array>
#include <cstdint>

#include "backends/vulkan/vk_command_list.h"

namespace hearth::vk {
namespace {

// Handles are only compared, never used: any distinct non-null values do.
template <typename Handle>
Handle fake(uintptr_t value) {
    return reinterpret_cast<Handle>(value);
}

std::array<std::byte, 8> push_bytes(uint64_t value) {
    std::array<std::byte, 8> bytes{};
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::byte>(value >> (8 * i));
    return bytes;
}

// A small step: two dispatches, a barrier, a third dispatch.
CommandList step(uint64_t third_push = 7, Groups third_groups = {4, 1}) {
    CommandList list;
    const auto layout = fake<VkPipelineLayout>(0x10);
    list.dispatch(fake<VkPipeline>(0x100), layout, push_bytes(1), {3, 1});
    list.dispatch(fake<VkPipeline>(0x200), layout, push_bytes(2), {3, 1});
    list.barrier();
    list.dispatch(fake<VkPipeline>(0x100), layout, push_bytes(third_push), third_groups);
    return list;
}

TEST_CASE("vulkan command list: the same commands compare equal") {
    CHECK(step() == step());
    CHECK(step().replayable());
    CHECK_FALSE(step().empty());
    CHECK(step().commands().size() == 4);
    const CommandList list = step(0x0102030405060708);
    const auto third = list.commands()[3];
    CHECK(third.kind == CommandKind::dispatch);
    CHECK(list.push(third).size() == 8);
    CHECK(list.push(third)[0] == std::byte{0x08});
}

TEST_CASE("vulkan command list: any difference in push bytes, groups, pipeline or barriers counts") {
    CHECK_FALSE(step(8) == step());
    CHECK_FALSE(step(7, {4, 2}) == step());
    CHECK_FALSE(step(7, {5, 1}) == step());
    CommandList other_pipeline;
    other_pipeline.dispatch(fake<VkPipeline>(0x300), fake<VkPipelineLayout>(0x10), push_bytes(1), {3, 1});
    CommandList first_only;
    first_only.dispatch(fake<VkPipeline>(0x100), fake<VkPipelineLayout>(0x10), push_bytes(1), {3, 1});
    CHECK_FALSE(other_pipeline == first_only);
    CommandList extra_barrier = step();
    extra_barrier.barrier();
    CHECK_FALSE(extra_barrier == step());
    // Push bytes split differently between dispatches are different commands.
    CommandList split_a, split_b;
    const std::array<std::byte, 4> a{}, b{};
    const std::array<std::byte, 8> ab{};
    split_a.dispatch(fake<VkPipeline>(0x100), fake<VkPipelineLayout>(0x10), a, {1, 1});
    split_a.dispatch(fake<VkPipeline>(0x100), fake<VkPipelineLayout>(0x10), ab, {1, 1});
    split_b.dispatch(fake<VkPipeline>(0x100), fake<VkPipelineLayout>(0x10), ab, {1, 1});
    split_b.dispatch(fake<VkPipeline>(0x100), fake<VkPipelineLayout>(0x10), b, {1, 1});
    CHECK_FALSE(split_a == split_b);
}

TEST_CASE("vulkan command list: a list with a copy is not replayable, and clear starts over") {
    CommandList list = step();
    list.copy(fake<VkBuffer>(0x1000), 0, fake<VkBuffer>(0x2000), 256, 64);
    CHECK_FALSE(list.replayable());
    CHECK(list.commands().back().kind == CommandKind::copy);
    list.clear();
    CHECK(list.empty());
    CHECK(list.replayable());
    CHECK(list == CommandList{});
}

}  // namespace
}  // namespace hearth::vk
