#pragma once
// The Vulkan backend's public entry point. Ops run as GLSL compute shaders that follow the CPU
// reference's arithmetic step by step, so results equal the CPU backend's bit for bit (see
// backends/vulkan/README.md for the few places where a device could differ).
//
// Handles: Tensor::data and Weight::data hold 64-bit Vulkan buffer device addresses
// (VK_KHR_buffer_device_address, core in 1.2) cast to pointers. They are never dereferenced on
// the host; shaders read and write through them, so a tensor is not limited by
// maxStorageBufferRange and needs no descriptor sets.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "backends/backend.h"

namespace hearth {

// How an optional device feature is used: where the device has it (automatic), never (off), or
// always (on: Error(unsupported) where the device lacks it). Results are the same bits either way;
// off and on let tests run both paths.
enum class VulkanFeatureUse { automatic, off, on };

struct VulkanOptions {
    // Which physical device (vkEnumeratePhysicalDevices order); -1 defers to the environment
    // variable HEARTH_VULKAN_DEVICE, then to the best device: discrete > integrated > virtual > CPU.
    int device_index = -1;
    // Invocations that share one output row of a quantized matmul (a power of two up to 64); 0:
    // 1 on CPU devices (lavapipe), where barriers cost more than they give, 16 on GPUs. With
    // teams, each weight block also serves four activation rows of a batch. Results are the same
    // bits whatever the choice.
    int matmul_team = 0;
    // Integer dot-product instructions (SPV_KHR_integer_dot_product, feature shaderIntegerDotProduct)
    // for the 4-byte integer dot steps of quantized matmuls (legacy types, Q4_K, Q5_K).
    VulkanFeatureUse integer_dot = VulkanFeatureUse::automatic;
    // Subgroup shuffles, instead of shared memory and barriers, to hand a matmul team's block
    // contributions to its first invocation, for teams that fit in one subgroup.
    VulkanFeatureUse subgroup_gather = VulkanFeatureUse::automatic;
};

// Command buffers a Vulkan backend has submitted so far, and how many of them were recorded
// command buffers submitted again because a step recorded the same commands as the one before
// (backends/vulkan/README.md, Commands).
struct VulkanSubmissions {
    uint64_t submitted = 0;
    uint64_t reused = 0;
};
// Throws Error(internal) when `backend` is not a Vulkan backend.
VulkanSubmissions vulkan_submissions(const Backend& backend);

// One line per physical device: "index: name (type)", for --list-devices style output. Throws
// Error(unsupported) when Vulkan cannot start at all.
std::vector<std::string> list_vulkan_devices();

// Throws Error(unsupported) with the reason when no usable Vulkan device exists (no driver, no
// device, or a device without 64-bit floats, 8/16-bit storage or buffer device addresses).
std::unique_ptr<Backend> make_vulkan_backend(const VulkanOptions& options);

}  // namespace hearth
