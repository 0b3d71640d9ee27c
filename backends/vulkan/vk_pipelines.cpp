#include "backends/vulkan/vk_pipelines.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "backends/vulkan/vk_shaders.h"
#include "core/error.h"

namespace hearth::vk {
namespace {

// A file name that changes with the device and its driver: a driver update starts a new cache.
std::string cache_file_path(const Api& api, VkPhysicalDevice physical) {
    std::filesystem::path dir;
    if (const char* custom = std::getenv("HEARTH_CACHE_DIR")) {
        dir = custom;
    } else if (const char* xdg = std::getenv("XDG_CACHE_HOME")) {
        dir = std::filesystem::path(xdg) / "hearth";
    } else if (const char* home = std::getenv("HOME")) {
        dir = std::filesystem::path(home) / ".cache" / "hearth";
    } else {
        return {};
    }
    VkPhysicalDeviceProperties props{};
    api.vkGetPhysicalDeviceProperties(physical, &props);
    char name[96];
    std::snprintf(name, sizeof name, "pipelines-%04x-%04x-%08x.bin", props.vendorID, props.deviceID, props.driverVersion);
    return (dir / "vulkan" / name).string();
}

std::vector<char> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return in ? std::vector<char>(std::istreambuf_iterator<char>(in), {}) : std::vector<char>{};
}

// Written to a temporary name and renamed, so a crash never leaves half a cache file.
void write_file(const std::string& path, const std::vector<char>& bytes) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    const std::string temporary = path + ".tmp";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()))) return;
    }
    std::filesystem::rename(temporary, path, ec);
}

}  // namespace

Pipelines::Pipelines(const Context& context)
    : context_(context), cache_path_(cache_file_path(context.api(), context.physical_device())) {
    // The driver checks the header (vendor, device, cache UUID) and ignores data it cannot use.
    const std::vector<char> saved = cache_path_.empty() ? std::vector<char>{} : read_file(cache_path_);
    VkPipelineCacheCreateInfo cache_info{VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO};
    cache_info.initialDataSize = saved.size();
    cache_info.pInitialData = saved.empty() ? nullptr : saved.data();
    if (context_.api().vkCreatePipelineCache(context.device(), &cache_info, nullptr, &cache_) != VK_SUCCESS) {
        cache_info.initialDataSize = 0;  // unusable saved data: start empty
        cache_info.pInitialData = nullptr;
        check(context_.api().vkCreatePipelineCache(context.device(), &cache_info, nullptr, &cache_), "vkCreatePipelineCache");
    }
    VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, kPushConstantBytes};
    VkPipelineLayoutCreateInfo info{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    info.pushConstantRangeCount = 1;
    info.pPushConstantRanges = &range;
    check(context_.api().vkCreatePipelineLayout(context.device(), &info, nullptr, &layout_), "vkCreatePipelineLayout");
}

Pipelines::~Pipelines() {
    size_t size = 0;
    if (!cache_path_.empty() && !pipelines_.empty() &&
        context_.api().vkGetPipelineCacheData(context_.device(), cache_, &size, nullptr) == VK_SUCCESS && size > 0) {
        std::vector<char> bytes(size);
        if (context_.api().vkGetPipelineCacheData(context_.device(), cache_, &size, bytes.data()) == VK_SUCCESS) {
            bytes.resize(size);
            write_file(cache_path_, bytes);
        }
    }
    context_.api().vkDestroyPipelineCache(context_.device(), cache_, nullptr);
    for (auto& [name, pipeline] : pipelines_) context_.api().vkDestroyPipeline(context_.device(), pipeline, nullptr);
    context_.api().vkDestroyPipelineLayout(context_.device(), layout_, nullptr);
}

VkPipeline Pipelines::get(std::string_view name, std::span<const uint32_t> constants) {
    std::string key(name);
    for (uint32_t c : constants) {
        key.push_back('/');
        key.append(std::to_string(c));
    }
    if (auto it = pipelines_.find(key); it != pipelines_.end()) return it->second;
    const ShaderCode* code = nullptr;
    for (const ShaderCode& s : shader_table())
        if (s.name == name) code = &s;
    require(code != nullptr, ErrorKind::internal, "Vulkan: no shader named " + std::string(name));

    VkShaderModuleCreateInfo module_info{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
    module_info.codeSize = code->words.size_bytes();
    module_info.pCode = code->words.data();
    VkShaderModule module = VK_NULL_HANDLE;
    check(context_.api().vkCreateShaderModule(context_.device(), &module_info, nullptr, &module), "vkCreateShaderModule");
    VkComputePipelineCreateInfo info{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
    info.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO};
    info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
    info.stage.module = module;
    info.stage.pName = "main";
    std::vector<VkSpecializationMapEntry> entries;
    for (uint32_t i = 0; i < constants.size(); ++i)
        entries.push_back({i, static_cast<uint32_t>(i * sizeof(uint32_t)), sizeof(uint32_t)});
    const VkSpecializationInfo specialization{static_cast<uint32_t>(entries.size()), entries.data(),
                                              constants.size_bytes(), constants.data()};
    if (!constants.empty()) info.stage.pSpecializationInfo = &specialization;
    info.layout = layout_;
    VkPipeline pipeline = VK_NULL_HANDLE;
    const VkResult result = context_.api().vkCreateComputePipelines(context_.device(), cache_, 1, &info, nullptr, &pipeline);
    context_.api().vkDestroyShaderModule(context_.device(), module, nullptr);
    check(result, "vkCreateComputePipelines for " + std::string(name));
    pipelines_.emplace(std::move(key), pipeline);
    return pipeline;
}

}  // namespace hearth::vk
