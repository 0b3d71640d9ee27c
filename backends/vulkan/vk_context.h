#pragma once
// The Vulkan instance, the chosen physical device with the features Hearth's shaders need, one
// compute queue, and the helpers everything else uses to turn VkResults into hearth::Errors.
#include "backends/vulkan/vk_api.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "backends/vulkan/vk_device_choice.h"

namespace hearth::vk {

// Throws Error(out_of_memory) for the out-of-memory results, Error(unsupported) for a lost or
// missing driver, Error(internal) otherwise; `what` names the failed call.
void check(VkResult result, std::string_view what);

// Optional features of the chosen device that shader variants can use.
struct Capabilities {
    bool integer_dot = false;              // shaderIntegerDotProduct, enabled at device creation
    bool integer_dot_accelerated = false;  // integerDotProduct4x8BitPackedSignedAccelerated
    uint32_t subgroup_size = 0;
    bool subgroup_shuffle = false;         // shuffles in compute shaders
};

class Context {
public:
    // requested_device < 0: automatic (see choose_device); throws Error(unsupported) when Vulkan
    // cannot run and says why.
    explicit Context(int requested_device);
    ~Context();
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;

    const Api& api() const { return api_; }
    VkDevice device() const { return device_; }
    VkQueue queue() const { return queue_; }
    uint32_t queue_family() const { return queue_family_; }
    const std::string& description() const { return description_; }
    uint32_t max_workgroups_x() const { return max_workgroups_x_; }
    DeviceKind kind() const { return kind_; }
    VkDeviceSize max_allocation() const { return max_allocation_; }
    VkPhysicalDevice physical_device() const { return physical_; }
    const Capabilities& capabilities() const { return capabilities_; }

    // The memory type for `type_bits` with all `required` flags, preferring one with `preferred`.
    // Throws Error(unsupported) when none has the required flags.
    uint32_t memory_type(uint32_t type_bits, VkMemoryPropertyFlags required, VkMemoryPropertyFlags preferred) const;
    VkDeviceSize heap_size(uint32_t memory_type) const;
    void wait_idle() const;

private:
    void pick_device(int requested_device);
    void query_capabilities(uint32_t api_version);
    void create_device();

    Api api_;  // first member: the loader outlives every handle below
    VkInstance instance_ = VK_NULL_HANDLE;
    VkPhysicalDevice physical_ = VK_NULL_HANDLE;
    VkDevice device_ = VK_NULL_HANDLE;
    VkQueue queue_ = VK_NULL_HANDLE;
    uint32_t queue_family_ = 0;
    uint32_t max_workgroups_x_ = 65535;
    DeviceKind kind_ = DeviceKind::other;
    VkDeviceSize max_allocation_ = 0;
    VkPhysicalDeviceMemoryProperties memory_{};
    Capabilities capabilities_;
    bool integer_dot_extension_ = false;  // enable VK_KHR_shader_integer_dot_product (before 1.3)
    std::string description_;
};

// Every physical device with what it lacks (creates and destroys its own instance).
std::vector<DeviceCandidate> list_devices();

}  // namespace hearth::vk
