#include "backends/vulkan/vk_device_choice.h"

#include <charconv>
#include <cstring>

#include "core/error.h"

namespace hearth::vk {
namespace {

int rank(DeviceKind kind) {
    switch (kind) {
        case DeviceKind::discrete: return 0;
        case DeviceKind::integrated: return 1;
        case DeviceKind::virtual_gpu: return 2;
        case DeviceKind::cpu: return 3;
        case DeviceKind::other: return 4;
    }
    return 4;
}

std::string describe(std::span<const DeviceCandidate> devices) {
    std::string text;
    for (const DeviceCandidate& d : devices) {
        text += "\n  " + std::to_string(d.index) + ": " + d.name + " (" + std::string(device_kind_name(d.kind)) + ")";
        if (!d.missing.empty()) text += ", unusable: lacks " + d.missing;
    }
    return text;
}

}  // namespace

std::string_view device_kind_name(DeviceKind kind) {
    switch (kind) {
        case DeviceKind::discrete: return "discrete GPU";
        case DeviceKind::integrated: return "integrated GPU";
        case DeviceKind::virtual_gpu: return "virtual GPU";
        case DeviceKind::cpu: return "CPU";
        case DeviceKind::other: return "other";
    }
    return "other";
}

int choose_device(std::span<const DeviceCandidate> devices, int requested) {
    require(!devices.empty(), ErrorKind::unsupported, "Vulkan: the driver reports no physical device");
    if (requested >= 0) {
        for (const DeviceCandidate& d : devices) {
            if (d.index != requested) continue;
            require(d.missing.empty(), ErrorKind::unsupported,
                    "Vulkan device " + std::to_string(requested) + " (" + d.name + ") lacks " + d.missing);
            return d.index;
        }
        throw Error(ErrorKind::unsupported, "Vulkan device " + std::to_string(requested) +
                                                " does not exist; the devices are:" + describe(devices));
    }
    const DeviceCandidate* best = nullptr;
    for (const DeviceCandidate& d : devices)
        if (d.missing.empty() && (best == nullptr || rank(d.kind) < rank(best->kind))) best = &d;
    require(best != nullptr, ErrorKind::unsupported, "Vulkan: no usable device:" + describe(devices));
    return best->index;
}

int parse_device_index(const char* value) {
    if (value == nullptr || *value == '\0') return -1;
    int index = -1;
    const char* end = value + std::strlen(value);
    const auto [ptr, ec] = std::from_chars(value, end, index);
    require(ec == std::errc() && ptr == end && index >= 0, ErrorKind::bad_request,
            "HEARTH_VULKAN_DEVICE must be a device index (0, 1, ...), not '" + std::string(value) + "'");
    return index;
}

}  // namespace hearth::vk
