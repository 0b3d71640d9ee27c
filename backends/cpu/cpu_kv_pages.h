#pragma once
// Key/value pages in host memory: for K and for V, [layer][page * page_size + slot] rows of kv_dim
// values stored as the layout's type (F16 or Q8_0).
#include <cstdint>

#include "backends/backend.h"
#include "backends/cpu/huge_page_memory.h"

namespace hearth::cpu {

class CpuKvPages final : public KvPages {
public:
    explicit CpuKvPages(const KvLayout& layout);
    const KvLayout& layout() const override { return layout_; }
    uint8_t* key(int32_t layer, int64_t slot) { return &keys_[offset(layer, slot)]; }
    uint8_t* value(int32_t layer, int64_t slot) { return &values_[offset(layer, slot)]; }
    void copy_page(int32_t from, int32_t to);

private:
    size_t offset(int32_t layer, int64_t slot) const {
        return (static_cast<size_t>(layer) * layout_.n_pages * layout_.page_size + slot) * layout_.slot_bytes();
    }
    KvLayout layout_;
    // Left uninitialised: the OS commits memory only where pages are written (2 MiB at a time per
    // layer where huge pages are granted), so a generous budget costs little until it is used. In
    // huge pages because attention reads a slice of every slot of a sequence per token and layer
    // (SmolLM2 tg @ d1024: x1.22 against 4 KiB pages).
    HugePageMemory memory_;
    uint8_t* keys_ = nullptr;
    uint8_t* values_ = nullptr;
};

CpuKvPages& as_cpu(KvPages& pages);  // throws Error(internal) for another backend's pages
// The storage slot of position pos in the sequence of batch row `row`.
int64_t kv_slot(const CpuKvPages& kv, const BatchRows& rows, int64_t row, int32_t pos);

// Asks for a head's slice of `count` consecutive cache slots ahead of its use. The slice is a
// fraction of each slot (128 of 1024 bytes for llama-1b), a stride the hardware prefetchers do not
// follow: without this each key waits for memory on its own (llama-1b tg @ d1024: 1 key per ~30 ns).
inline void prefetch_kv_slots(const uint8_t* first, int64_t slot_bytes, int32_t count, int64_t head_bytes) {
    for (int32_t i = 0; i < count; ++i)
        for (int64_t b = 0; b < head_bytes; b += 64) __builtin_prefetch(first + i * slot_bytes + b);
}

}  // namespace hearth::cpu
