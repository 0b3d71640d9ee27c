#pragma once
// Which physical device to use: pure logic, kept apart from the Vulkan calls so it can be tested.
#include <span>
#include <string>
#include <string_view>

namespace hearth::vk {

enum class DeviceKind { discrete, integrated, virtual_gpu, cpu, other };

struct DeviceCandidate {
    int index = 0;
    std::string name;
    DeviceKind kind = DeviceKind::other;
    std::string missing;  // what the device lacks for Hearth, empty when usable
};

std::string_view device_kind_name(DeviceKind kind);

// requested < 0: the best usable device (discrete > integrated > virtual > CPU > other, first on
// ties). Throws Error(unsupported) naming the devices and what they lack when none is usable, or
// when the requested one does not exist or is unusable.
int choose_device(std::span<const DeviceCandidate> devices, int requested);

// HEARTH_VULKAN_DEVICE's value: -1 when unset or empty; Error(bad_request) when not an index.
int parse_device_index(const char* value);

}  // namespace hearth::vk
