#pragma once
// KV pages in device memory: for each layer one buffer of keys and one of values, each
// [page * page_size + slot] rows of slot_bytes (F16 or Q8_0), the CPU backend's layout.
#include <memory>
#include <vector>

#include "backends/backend.h"
#include "backends/vulkan/vk_memory.h"

namespace hearth::vk {

class VulkanKvPages final : public KvPages {
public:
    // Throws Error(out_of_memory) when the pages do not fit, Error(unsupported) for other types.
    VulkanKvPages(std::shared_ptr<const Context> context, const KvLayout& layout);
    ~VulkanKvPages() override;
    const KvLayout& layout() const override { return layout_; }
    const Buffer& keys(int32_t layer) const { return *keys_[static_cast<size_t>(layer)]; }
    const Buffer& values(int32_t layer) const { return *values_[static_cast<size_t>(layer)]; }

private:
    std::shared_ptr<const Context> context_;
    KvLayout layout_;
    std::vector<std::unique_ptr<Buffer>> keys_;
    std::vector<std::unique_ptr<Buffer>> values_;
};

VulkanKvPages& as_vulkan(KvPages& pages);  // throws Error(internal) for another backend's pages

}  // namespace hearth::vk
