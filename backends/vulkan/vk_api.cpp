#include "backends/vulkan/vk_api.h"

#include <dlfcn.h>

#include <cstdlib>
#include <string>

#include "core/error.h"

namespace hearth::vk {

Api::Api() {
    const char* custom = std::getenv("HEARTH_VULKAN_LOADER");
    const std::string loader = custom != nullptr && *custom != '\0' ? custom : "libvulkan.so.1";
    library_ = dlopen(loader.c_str(), RTLD_NOW | RTLD_LOCAL);
    require(library_ != nullptr, ErrorKind::unsupported,
            "Vulkan: the Vulkan loader " + loader + " cannot be opened (Debian: apt install libvulkan1 "
            "mesa-vulkan-drivers)");
    get_proc_ = reinterpret_cast<PFN_vkGetInstanceProcAddr>(dlsym(library_, "vkGetInstanceProcAddr"));
    if (get_proc_ != nullptr)
        vkCreateInstance = reinterpret_cast<PFN_vkCreateInstance>(get_proc_(VK_NULL_HANDLE, "vkCreateInstance"));
    if (vkCreateInstance == nullptr) {
        dlclose(library_);
        throw Error(ErrorKind::unsupported, "Vulkan: libvulkan.so.1 does not export vkGetInstanceProcAddr / vkCreateInstance");
    }
}

Api::~Api() { dlclose(library_); }

void Api::load(VkInstance instance) {
#define HEARTH_VK_LOAD(name)                                                                             \
    name = reinterpret_cast<PFN_##name>(get_proc_(instance, #name));                                     \
    require(name != nullptr, ErrorKind::unsupported, std::string("Vulkan: the loader has no ") + #name);
    HEARTH_VK_INSTANCE_FUNCTIONS(HEARTH_VK_LOAD)
#undef HEARTH_VK_LOAD
}

}  // namespace hearth::vk
