#include "backends/vulkan/vk_context.h"

#include <cstdlib>
#include <string>

#include "backends/vulkan/vk_device_choice.h"
#include "core/error.h"

namespace hearth::vk {
namespace {

constexpr uint32_t kRequiredApi = VK_API_VERSION_1_2;  // buffer device addresses are core there
// The newest version whose features Hearth uses (integer dot products are core in 1.3); the
// instance asks for it, which Vulkan 1.1+ loaders allow on older drivers too.
constexpr uint32_t kNewestApi = VK_API_VERSION_1_3;

std::string version_text(uint32_t v) {
    return std::to_string(VK_API_VERSION_MAJOR(v)) + "." + std::to_string(VK_API_VERSION_MINOR(v)) + "." +
           std::to_string(VK_API_VERSION_PATCH(v));
}

DeviceKind kind_of(VkPhysicalDeviceType type) {
    switch (type) {
        case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return DeviceKind::discrete;
        case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return DeviceKind::integrated;
        case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return DeviceKind::virtual_gpu;
        case VK_PHYSICAL_DEVICE_TYPE_CPU: return DeviceKind::cpu;
        default: return DeviceKind::other;
    }
}

// The feature structs Hearth needs, chained for vkGetPhysicalDeviceFeatures2 / vkCreateDevice.
struct FeatureChain {
    VkPhysicalDeviceVulkan12Features v12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
    VkPhysicalDeviceVulkan11Features v11{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES};
    VkPhysicalDeviceFeatures2 base{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
    FeatureChain() {
        base.pNext = &v11;
        v11.pNext = &v12;
    }
    FeatureChain(const FeatureChain&) = delete;
    FeatureChain& operator=(const FeatureChain&) = delete;
};

// Sets exactly the features the shaders use.
void request_features(FeatureChain& chain) {
    chain.base.features.shaderFloat64 = VK_TRUE;
    chain.base.features.shaderInt64 = VK_TRUE;
    chain.base.features.shaderInt16 = VK_TRUE;
    chain.v11.storageBuffer16BitAccess = VK_TRUE;
    chain.v12.storageBuffer8BitAccess = VK_TRUE;
    chain.v12.shaderInt8 = VK_TRUE;
    chain.v12.bufferDeviceAddress = VK_TRUE;
}

// What the device lacks among the requested features, comma-separated.
std::string missing_features(const Api& api, VkPhysicalDevice device) {
    VkPhysicalDeviceProperties props;
    api.vkGetPhysicalDeviceProperties(device, &props);
    if (props.apiVersion < kRequiredApi) return "Vulkan 1.2 (it has " + version_text(props.apiVersion) + ")";
    FeatureChain have;
    api.vkGetPhysicalDeviceFeatures2(device, &have.base);
    std::string missing;
    const auto need = [&](VkBool32 present, const char* name) {
        if (!present) missing += (missing.empty() ? "" : ", ") + std::string(name);
    };
    need(have.base.features.shaderFloat64, "shaderFloat64 (the exact sums are in double)");
    need(have.base.features.shaderInt64, "shaderInt64");
    need(have.base.features.shaderInt16, "shaderInt16");
    need(have.v11.storageBuffer16BitAccess, "storageBuffer16BitAccess");
    need(have.v12.storageBuffer8BitAccess, "storageBuffer8BitAccess");
    need(have.v12.shaderInt8, "shaderInt8");
    need(have.v12.bufferDeviceAddress, "bufferDeviceAddress");
    uint32_t n_families = 0;
    api.vkGetPhysicalDeviceQueueFamilyProperties(device, &n_families, nullptr);
    std::vector<VkQueueFamilyProperties> families(n_families);
    api.vkGetPhysicalDeviceQueueFamilyProperties(device, &n_families, families.data());
    bool compute = false;
    for (const auto& f : families) compute = compute || (f.queueFlags & VK_QUEUE_COMPUTE_BIT) != 0;
    need(compute, "a compute queue");
    return missing;
}

bool has_extension(const Api& api, VkPhysicalDevice device, std::string_view name) {
    uint32_t count = 0;
    check(api.vkEnumerateDeviceExtensionProperties(device, nullptr, &count, nullptr), "vkEnumerateDeviceExtensionProperties");
    std::vector<VkExtensionProperties> extensions(count);
    check(api.vkEnumerateDeviceExtensionProperties(device, nullptr, &count, extensions.data()),
          "vkEnumerateDeviceExtensionProperties");
    for (const VkExtensionProperties& e : extensions)
        if (name == e.extensionName) return true;
    return false;
}

std::string mib(VkDeviceSize bytes) { return std::to_string(bytes >> 20) + " MiB"; }

// Throws Error(unsupported) with the reason when no Vulkan 1.2 driver is present.
VkInstance create_instance(Api& api) {
    VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
    app.pApplicationName = "hearth";
    app.pEngineName = "hearth";
    app.apiVersion = kNewestApi;
    VkInstanceCreateInfo info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
    info.pApplicationInfo = &app;
    VkInstance instance = VK_NULL_HANDLE;
    const VkResult result = api.vkCreateInstance(&info, nullptr, &instance);
    require(result != VK_ERROR_INCOMPATIBLE_DRIVER, ErrorKind::unsupported,
            "Vulkan: no driver supports Vulkan 1.2 (is a Vulkan driver installed, e.g. mesa-vulkan-drivers?)");
    check(result, "vkCreateInstance");
    try {
        api.load(instance);
    } catch (...) {
        if (api.vkDestroyInstance != nullptr) api.vkDestroyInstance(instance, nullptr);
        throw;
    }
    return instance;
}

std::vector<VkPhysicalDevice> physical_devices(const Api& api, VkInstance instance) {
    uint32_t count = 0;
    check(api.vkEnumeratePhysicalDevices(instance, &count, nullptr), "vkEnumeratePhysicalDevices");
    std::vector<VkPhysicalDevice> devices(count);
    check(api.vkEnumeratePhysicalDevices(instance, &count, devices.data()), "vkEnumeratePhysicalDevices");
    return devices;
}

std::vector<DeviceCandidate> candidates_of(const Api& api, const std::vector<VkPhysicalDevice>& devices) {
    std::vector<DeviceCandidate> candidates;
    for (size_t i = 0; i < devices.size(); ++i) {
        VkPhysicalDeviceProperties props;
        api.vkGetPhysicalDeviceProperties(devices[i], &props);
        candidates.push_back(
            {static_cast<int>(i), props.deviceName, kind_of(props.deviceType), missing_features(api, devices[i])});
    }
    return candidates;
}

}  // namespace

void check(VkResult result, std::string_view what) {
    if (result == VK_SUCCESS) return;
    const std::string message = "Vulkan: " + std::string(what) + " failed (VkResult " + std::to_string(result) + ")";
    switch (result) {
        case VK_ERROR_OUT_OF_HOST_MEMORY:
        case VK_ERROR_OUT_OF_DEVICE_MEMORY:
        case VK_ERROR_TOO_MANY_OBJECTS: throw Error(ErrorKind::out_of_memory, message + ": out of memory");
        case VK_ERROR_DEVICE_LOST: throw Error(ErrorKind::unsupported, message + ": the device was lost");
        case VK_ERROR_INCOMPATIBLE_DRIVER:
        case VK_ERROR_INITIALIZATION_FAILED: throw Error(ErrorKind::unsupported, message);
        default: throw Error(ErrorKind::internal, message);
    }
}

std::vector<DeviceCandidate> list_devices() {
    Api api;
    VkInstance instance = create_instance(api);
    try {
        std::vector<DeviceCandidate> candidates = candidates_of(api, physical_devices(api, instance));
        api.vkDestroyInstance(instance, nullptr);
        return candidates;
    } catch (...) {
        api.vkDestroyInstance(instance, nullptr);
        throw;
    }
}

Context::Context(int requested_device) {
    instance_ = create_instance(api_);
    try {
        pick_device(requested_device);
        create_device();
    } catch (...) {
        if (device_ != VK_NULL_HANDLE) api_.vkDestroyDevice(device_, nullptr);
        api_.vkDestroyInstance(instance_, nullptr);
        throw;
    }
}

Context::~Context() {
    api_.vkDeviceWaitIdle(device_);
    api_.vkDestroyDevice(device_, nullptr);
    api_.vkDestroyInstance(instance_, nullptr);
}

void Context::pick_device(int requested_device) {
    const int requested =
        requested_device >= 0 ? requested_device : parse_device_index(std::getenv("HEARTH_VULKAN_DEVICE"));
    const std::vector<VkPhysicalDevice> devices = physical_devices(api_, instance_);
    const int index = choose_device(candidates_of(api_, devices), requested);
    physical_ = devices[static_cast<size_t>(index)];

    VkPhysicalDeviceMaintenance3Properties m3{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES};
    VkPhysicalDeviceVulkan11Properties v11{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_PROPERTIES};
    VkPhysicalDeviceDriverProperties driver{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
    VkPhysicalDeviceProperties2 props{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
    props.pNext = &m3;
    m3.pNext = &v11;
    v11.pNext = &driver;
    api_.vkGetPhysicalDeviceProperties2(physical_, &props);
    api_.vkGetPhysicalDeviceMemoryProperties(physical_, &memory_);
    query_capabilities(props.properties.apiVersion);
    const VkPhysicalDeviceLimits& limits = props.properties.limits;
    max_workgroups_x_ = limits.maxComputeWorkGroupCount[0];
    kind_ = kind_of(props.properties.deviceType);
    max_allocation_ = m3.maxMemoryAllocationSize;
    VkDeviceSize device_local = 0;
    for (uint32_t h = 0; h < memory_.memoryHeapCount; ++h)
        if (memory_.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) device_local += memory_.memoryHeaps[h].size;
    description_ = "Vulkan " + std::to_string(index) + ": " + props.properties.deviceName + " (" +
                   std::string(device_kind_name(kind_of(props.properties.deviceType))) + ", " + driver.driverName +
                   " " + driver.driverInfo + "), API " + version_text(props.properties.apiVersion) + ", " +
                   mib(device_local) + " device-local, largest allocation " + mib(max_allocation_) +
                   ", maxStorageBufferRange " + mib(limits.maxStorageBufferRange) + ", subgroup " +
                   std::to_string(v11.subgroupSize) + (capabilities_.subgroup_shuffle ? " with" : " without") +
                   " shuffles, integer dot product " +
                   (!capabilities_.integer_dot              ? "no"
                    : capabilities_.integer_dot_accelerated ? "yes (accelerated)"
                                                            : "yes (not accelerated)");
}

void Context::query_capabilities(uint32_t api_version) {
    VkPhysicalDeviceVulkan11Properties v11{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_PROPERTIES};
    VkPhysicalDeviceProperties2 props{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
    props.pNext = &v11;
    api_.vkGetPhysicalDeviceProperties2(physical_, &props);
    capabilities_.subgroup_size = v11.subgroupSize;
    capabilities_.subgroup_shuffle = (v11.subgroupSupportedStages & VK_SHADER_STAGE_COMPUTE_BIT) != 0 &&
                                     (v11.subgroupSupportedOperations & VK_SUBGROUP_FEATURE_SHUFFLE_BIT) != 0;

    // The integer dot-product structs may only be chained where the feature is core (1.3, which
    // the instance asks for) or the device has the extension.
    integer_dot_extension_ =
        VK_API_VERSION_MINOR(api_version) < 3 && has_extension(api_, physical_, VK_KHR_SHADER_INTEGER_DOT_PRODUCT_EXTENSION_NAME);
    if (VK_API_VERSION_MINOR(api_version) < 3 && !integer_dot_extension_) return;
    VkPhysicalDeviceShaderIntegerDotProductFeatures dot{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_FEATURES};
    VkPhysicalDeviceFeatures2 features{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
    features.pNext = &dot;
    api_.vkGetPhysicalDeviceFeatures2(physical_, &features);
    capabilities_.integer_dot = dot.shaderIntegerDotProduct == VK_TRUE;
    VkPhysicalDeviceShaderIntegerDotProductProperties dot_props{
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_PROPERTIES};
    props.pNext = &dot_props;
    api_.vkGetPhysicalDeviceProperties2(physical_, &props);
    capabilities_.integer_dot_accelerated = dot_props.integerDotProduct4x8BitPackedSignedAccelerated == VK_TRUE;
    if (!capabilities_.integer_dot) integer_dot_extension_ = false;
}

void Context::create_device() {
    uint32_t n_families = 0;
    api_.vkGetPhysicalDeviceQueueFamilyProperties(physical_, &n_families, nullptr);
    std::vector<VkQueueFamilyProperties> families(n_families);
    api_.vkGetPhysicalDeviceQueueFamilyProperties(physical_, &n_families, families.data());
    // Prefer a compute-only family (often a separate engine on discrete GPUs), else any with compute.
    uint32_t chosen = n_families;
    for (uint32_t f = 0; f < n_families; ++f) {
        if (!(families[f].queueFlags & VK_QUEUE_COMPUTE_BIT)) continue;
        const bool compute_only = !(families[f].queueFlags & VK_QUEUE_GRAPHICS_BIT);
        if (chosen == n_families || compute_only) chosen = f;
    }
    queue_family_ = chosen;
    const float priority = 1.0f;
    VkDeviceQueueCreateInfo queue_info{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
    queue_info.queueFamilyIndex = queue_family_;
    queue_info.queueCount = 1;
    queue_info.pQueuePriorities = &priority;
    FeatureChain features;
    request_features(features);
    VkPhysicalDeviceShaderIntegerDotProductFeatures dot{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_FEATURES};
    dot.shaderIntegerDotProduct = VK_TRUE;
    if (capabilities_.integer_dot) features.v12.pNext = &dot;
    const char* dot_extension = VK_KHR_SHADER_INTEGER_DOT_PRODUCT_EXTENSION_NAME;
    VkDeviceCreateInfo info{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
    info.pNext = &features.base;
    info.enabledExtensionCount = integer_dot_extension_ ? 1 : 0;
    info.ppEnabledExtensionNames = integer_dot_extension_ ? &dot_extension : nullptr;
    info.queueCreateInfoCount = 1;
    info.pQueueCreateInfos = &queue_info;
    check(api_.vkCreateDevice(physical_, &info, nullptr, &device_), "vkCreateDevice");
    api_.vkGetDeviceQueue(device_, queue_family_, 0, &queue_);
}

uint32_t Context::memory_type(uint32_t type_bits, VkMemoryPropertyFlags required, VkMemoryPropertyFlags preferred) const {
    uint32_t fallback = memory_.memoryTypeCount;
    for (uint32_t t = 0; t < memory_.memoryTypeCount; ++t) {
        if (!(type_bits & (1u << t))) continue;
        const VkMemoryPropertyFlags flags = memory_.memoryTypes[t].propertyFlags;
        if ((flags & required) != required) continue;
        if ((flags & preferred) == preferred) return t;
        if (fallback == memory_.memoryTypeCount) fallback = t;
    }
    require(fallback < memory_.memoryTypeCount, ErrorKind::unsupported,
            "Vulkan: the device has no memory type with the properties a buffer needs");
    return fallback;
}

VkDeviceSize Context::heap_size(uint32_t memory_type) const {
    return memory_.memoryHeaps[memory_.memoryTypes[memory_type].heapIndex].size;
}

void Context::wait_idle() const { check(api_.vkDeviceWaitIdle(device_), "vkDeviceWaitIdle"); }

}  // namespace hearth::vk
