// Device choice (pure logic) and the backend's errors: a missing device, memory that does not
// fit, weight types it cannot compute with.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <fstream>

#include "backends/vulkan/vk_device_choice.h"
#include "tests/vulkan/vk_test_util.h"

namespace hearth::test {
namespace {

using vk::DeviceCandidate;
using vk::DeviceKind;

TEST_CASE("vulkan device choice: discrete before integrated before CPU, unless asked") {
    const std::vector<DeviceCandidate> devices = {{0, "llvmpipe", DeviceKind::cpu, ""},
                                                  {1, "iGPU", DeviceKind::integrated, ""},
                                                  {2, "dGPU", DeviceKind::discrete, ""},
                                                  {3, "old", DeviceKind::discrete, "shaderFloat64"}};
    CHECK(vk::choose_device(devices, -1) == 2);
    CHECK(vk::choose_device(std::span(devices).first(2), -1) == 1);
    CHECK(vk::choose_device(devices, 0) == 0);
    CHECK_THROWS_AS(vk::choose_device(devices, 3), Error);  // usable only without float64
    CHECK_THROWS_AS(vk::choose_device(devices, 9), Error);
    CHECK_THROWS_AS(vk::choose_device(std::span(devices).subspan(3), -1), Error);
    CHECK_THROWS_AS(vk::choose_device(std::span<const DeviceCandidate>(), -1), Error);
    try {
        vk::choose_device(std::span(devices).subspan(3), -1);
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::unsupported);
        CHECK(std::string(e.what()).find("shaderFloat64") != std::string::npos);
    }
}

TEST_CASE("vulkan device index from HEARTH_VULKAN_DEVICE") {
    CHECK(vk::parse_device_index(nullptr) == -1);
    CHECK(vk::parse_device_index("") == -1);
    CHECK(vk::parse_device_index("2") == 2);
    CHECK_THROWS_AS(vk::parse_device_index("gpu"), Error);
    CHECK_THROWS_AS(vk::parse_device_index("-1"), Error);
}

TEST_CASE("vulkan without a loader: an unsupported error that names it, and nothing else changes") {
    ::setenv("HEARTH_VULKAN_LOADER", "/nonexistent/libvulkan.so.1", 1);
    try {
        make_vulkan_backend(VulkanOptions{});
        FAIL("a missing loader should refuse Vulkan");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::unsupported);
        CHECK(std::string(e.what()).find("/nonexistent/libvulkan.so.1") != std::string::npos);
    }
    CHECK_THROWS_AS(list_vulkan_devices(), Error);
    ::unsetenv("HEARTH_VULKAN_LOADER");
}

TEST_CASE("vulkan backend: description, bad device index, memory that does not fit, unsupported types") {
    auto vulkan = try_vulkan();
    if (!vulkan) return;
    CHECK(vulkan->name() == "vulkan");
    CHECK(vulkan->device_description().find("Vulkan") != std::string::npos);
    CHECK(!list_vulkan_devices().empty());
    try {
        make_vulkan_backend(VulkanOptions{999});
        FAIL("device 999 should not exist");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::unsupported);
    }
    try {
        vulkan->create_kv_pages(KvLayout{1, 4096, 16, 1 << 23, DType::F16});  // 1 TiB for one layer
        FAIL("a 1 TiB KV cache should not fit");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::out_of_memory);
    }
    CHECK_THROWS_AS(vulkan->create_kv_pages(KvLayout{1, 64, 16, 4, DType::Q4_0}), Error);
    const auto q2k = host_weight(DType::Q2_K, 256, 2, std::vector<uint8_t>(2 * 84));
    try {
        vulkan->upload(q2k->info);
        FAIL("Q2_K should be refused");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::unsupported);
    }
}

}  // namespace
}  // namespace hearth::test

namespace hearth::test {
namespace {

// The pipeline cache is saved when a backend goes away and read by the next one; garbage in the
// file is ignored (the driver validates the header), never an error.
TEST_CASE("vulkan pipeline cache: saved on disk, reused, and a damaged file is harmless") {
    const std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("hearth-vk-cache-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    ::setenv("HEARTH_CACHE_DIR", dir.c_str(), 1);
    auto run_one_op = [] {
        auto vulkan = try_vulkan();
        if (!vulkan) return false;
        vulkan->begin_step();
        Tensor a = vulkan->alloc(1, 8), b = vulkan->alloc(1, 8);
        vulkan->add(a, b, a);
        std::vector<float> host(8);
        vulkan->read(a, host);
        return true;
    };
    if (!run_one_op()) {
        ::unsetenv("HEARTH_CACHE_DIR");
        return;
    }
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir / "vulkan")) files.push_back(entry.path());
    REQUIRE(files.size() == 1);
    CHECK(std::filesystem::file_size(files[0]) > 0);
    CHECK(run_one_op());  // starts from the saved cache
    {
        std::ofstream damage(files[0], std::ios::binary | std::ios::trunc);
        damage << "not a pipeline cache";
    }
    CHECK(run_one_op());
    CHECK(std::filesystem::file_size(files[0]) > 20);  // rewritten whole
    ::unsetenv("HEARTH_CACHE_DIR");
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hearth::test
