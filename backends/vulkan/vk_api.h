#pragma once
// The Vulkan functions Hearth calls, resolved at run time from the system's Vulkan loader
// (libvulkan.so.1) instead of linked: a machine without the loader still runs every CPU path, and
// asking for Vulkan there is an Error(unsupported) that says what to install. The backend is
// compiled with VK_NO_PROTOTYPES, so no call can bypass this table.
#include <vulkan/vulkan.h>

namespace hearth::vk {

// Functions of the instance level and below, resolved through vkGetInstanceProcAddr.
#define HEARTH_VK_INSTANCE_FUNCTIONS(X)                                                                 \
    X(vkDestroyInstance) X(vkEnumeratePhysicalDevices) X(vkGetPhysicalDeviceProperties)                 \
    X(vkGetPhysicalDeviceProperties2) X(vkGetPhysicalDeviceFeatures2) X(vkGetPhysicalDeviceMemoryProperties) \
    X(vkGetPhysicalDeviceQueueFamilyProperties) X(vkCreateDevice) X(vkDestroyDevice) X(vkGetDeviceQueue) \
    X(vkDeviceWaitIdle) X(vkCreateBuffer) X(vkDestroyBuffer) X(vkGetBufferMemoryRequirements)           \
    X(vkAllocateMemory) X(vkFreeMemory) X(vkBindBufferMemory) X(vkMapMemory) X(vkGetBufferDeviceAddress) \
    X(vkCreateCommandPool) X(vkDestroyCommandPool) X(vkAllocateCommandBuffers) X(vkBeginCommandBuffer)  \
    X(vkEndCommandBuffer) X(vkResetCommandBuffer) X(vkCmdPipelineBarrier) X(vkCmdBindPipeline)          \
    X(vkCmdPushConstants) X(vkCmdDispatch) X(vkCmdCopyBuffer) X(vkCreateFence) X(vkDestroyFence)        \
    X(vkResetFences) X(vkWaitForFences) X(vkQueueSubmit) X(vkCreatePipelineCache)                       \
    X(vkDestroyPipelineCache) X(vkGetPipelineCacheData) X(vkCreatePipelineLayout)                       \
    X(vkDestroyPipelineLayout) X(vkCreateShaderModule) X(vkDestroyShaderModule)                         \
    X(vkCreateComputePipelines) X(vkDestroyPipeline) X(vkEnumerateDeviceExtensionProperties)

class Api {
public:
    // Opens the loader ($HEARTH_VULKAN_LOADER, else libvulkan.so.1); throws Error(unsupported) when
    // it cannot be opened.
    Api();
    ~Api();
    Api(const Api&) = delete;
    Api& operator=(const Api&) = delete;

    // Resolves the instance-level functions (and the device-level ones through the loader's
    // dispatch) for `instance`; throws Error(unsupported) if the loader lacks one.
    void load(VkInstance instance);

    PFN_vkCreateInstance vkCreateInstance = nullptr;
#define HEARTH_VK_MEMBER(name) PFN_##name name = nullptr;
    HEARTH_VK_INSTANCE_FUNCTIONS(HEARTH_VK_MEMBER)
#undef HEARTH_VK_MEMBER

private:
    void* library_ = nullptr;
    PFN_vkGetInstanceProcAddr get_proc_ = nullptr;
};

}  // namespace hearth::vk
