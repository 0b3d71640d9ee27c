// KV page storage on the device and the copy-on-write page copy.
#include "backends/vulkan/vk_kv_pages.h"

#include <string>

#include "backends/vulkan/vk_backend.h"
#include "core/error.h"

namespace hearth::vk {

VulkanKvPages::VulkanKvPages(std::shared_ptr<const Context> context, const KvLayout& layout)
    : context_(std::move(context)), layout_(layout) {
    require(layout.n_layer > 0 && layout.kv_dim > 0 && layout.page_size > 0 && layout.n_pages > 0,
            ErrorKind::internal, "KV pages: empty layout");
    require(layout.type == DType::F16 || layout.type == DType::Q8_0, ErrorKind::unsupported,
            "the Vulkan backend keeps KV pages as f16 or q8_0, not " + std::string(dtype_info(layout.type).name));
    require(layout.kv_dim % dtype_info(layout.type).block_elems == 0, ErrorKind::unsupported,
            "KV rows of " + std::to_string(layout.kv_dim) + " values are not whole " +
                std::string(dtype_info(layout.type).name) + " blocks");
    const VkDeviceSize layer_bytes =
        static_cast<VkDeviceSize>(layout.n_pages) * static_cast<VkDeviceSize>(layout.page_size) * layout.slot_bytes();
    try {
        for (int32_t layer = 0; layer < layout.n_layer; ++layer) {
            keys_.push_back(std::make_unique<Buffer>(*context_, layer_bytes, MemoryKind::device, "KV cache keys"));
            values_.push_back(std::make_unique<Buffer>(*context_, layer_bytes, MemoryKind::device, "KV cache values"));
        }
    } catch (const Error& e) {
        throw Error(e.kind(), "KV cache: " + std::to_string(layout.bytes()) + " bytes for " +
                                  std::to_string(layout.n_pages) + " pages of " + std::to_string(layout.page_size) +
                                  " tokens do not fit on the device (" + e.what() + ")");
    }
}

VulkanKvPages::~VulkanKvPages() {
    try {
        context_->wait_idle();  // no submitted work may still use the pages
    } catch (const Error&) {
        // A lost device has nothing in flight.
    }
}

VulkanKvPages& as_vulkan(KvPages& pages) {
    auto* vulkan = dynamic_cast<VulkanKvPages*>(&pages);
    require(vulkan != nullptr, ErrorKind::internal, "Vulkan backend given another backend's KV pages");
    return *vulkan;
}

void VulkanBackend::copy_kv_page(KvPages& pages, int32_t from, int32_t to) {
    VulkanKvPages& kv = as_vulkan(pages);
    const KvLayout& layout = kv.layout();
    require(from >= 0 && to >= 0 && from < layout.n_pages && to < layout.n_pages, ErrorKind::internal,
            "KV page copy outside the pool");
    if (from == to) return;
    const VkDeviceSize page_bytes = static_cast<VkDeviceSize>(layout.page_size) * layout.slot_bytes();
    for (int32_t layer = 0; layer < layout.n_layer; ++layer) {
        commands_.copy(kv.keys(layer), page_bytes * from, kv.keys(layer), page_bytes * to, page_bytes);
        commands_.copy(kv.values(layer), page_bytes * from, kv.values(layer), page_bytes * to, page_bytes);
    }
}

}  // namespace hearth::vk
