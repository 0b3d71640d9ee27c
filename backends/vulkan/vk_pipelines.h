#pragma once
// Compute pipelines for the embedded shaders, built on first use. Every shader takes its
// arguments as push constants (device addresses and sizes), so one pipeline layout without
// descriptor sets serves them all. Compiled pipelines are kept in a pipeline cache saved on disk
// (one file per device and driver under ~/.cache/hearth/vulkan, $HEARTH_CACHE_DIR overriding
// ~/.cache/hearth), so later runs skip the driver's shader compilation. The cache only speeds
// things up: a missing, stale or unwritable file is ignored.
#include "backends/vulkan/vk_api.h"

#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "backends/vulkan/vk_context.h"

namespace hearth::vk {

inline constexpr uint32_t kPushConstantBytes = 128;  // the minimum every device guarantees

class Pipelines {
public:
    explicit Pipelines(const Context& context);
    ~Pipelines();
    Pipelines(const Pipelines&) = delete;
    Pipelines& operator=(const Pipelines&) = delete;

    VkPipelineLayout layout() const { return layout_; }
    // The pipeline of shader `name` with specialization constants 0, 1, ... set to `constants`.
    // Throws Error(internal) for a name the shader table lacks.
    VkPipeline get(std::string_view name, std::span<const uint32_t> constants = {});

private:
    const Context& context_;
    VkPipelineLayout layout_ = VK_NULL_HANDLE;
    VkPipelineCache cache_ = VK_NULL_HANDLE;
    std::string cache_path_;  // "" when there is no cache directory
    std::unordered_map<std::string, VkPipeline> pipelines_;
};

}  // namespace hearth::vk
