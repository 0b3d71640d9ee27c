#pragma once
// Key/value pages in host memory: for K and for V, blocks of kKvBlockPages pages, each block
// [layer][KV head][slot in the block] rows of head_dim values stored as the layout's type (F16 or
// Q8_0). A head's slots sit side by side, so a sequence whose pages ascend reads each head's keys as
// runs of up to a block (128 KiB for SmolLM2) that attention streams through; with the heads of a
// slot side by side instead, a head's keys were a slice of every slot (128 of 384 bytes for
// SmolLM2), a stride that neither the prefetchers nor the memory's row buffers served well. Blocks
// rather than one run per layer and head keep what a short conversation commits small (memory is
// committed where first written: one block of SmolLM2 is 12 MB of keys).
#include <cstdint>

#include "backends/backend.h"
#include "backends/cpu/huge_page_memory.h"

namespace hearth::cpu {

constexpr int32_t kKvBlockPages = 64;

class CpuKvPages final : public KvPages {
public:
    explicit CpuKvPages(const KvLayout& layout);
    const KvLayout& layout() const override { return layout_; }
    int32_t heads() const { return heads_; }
    int64_t head_bytes() const { return head_bytes_; }  // also the stride from one slot to the next
    // One KV head's keys (values) in one slot; those of slot + 1 follow directly.
    uint8_t* key(int32_t layer, int64_t slot, int32_t head) { return &keys_[offset(layer, slot, head)]; }
    uint8_t* value(int32_t layer, int64_t slot, int32_t head) { return &values_[offset(layer, slot, head)]; }
    void copy_page(int32_t from, int32_t to);

private:
    size_t offset(int32_t layer, int64_t slot, int32_t head) const {
        const size_t block_slots = static_cast<size_t>(kKvBlockPages) * layout_.page_size;
        const size_t block = static_cast<size_t>(slot) / block_slots, in_block = static_cast<size_t>(slot) % block_slots;
        return (((block * layout_.n_layer + layer) * heads_ + head) * block_slots + in_block) * head_bytes_;
    }
    KvLayout layout_;
    int32_t heads_ = 0;
    int64_t head_bytes_ = 0;
    // Left uninitialised: the OS commits memory only where pages are written (2 MiB at a time where
    // huge pages are granted), so a generous budget costs little until it is used. In huge pages
    // because attention reads every slot of a sequence per token and layer (with the slice layout,
    // SmolLM2 tg @ d1024 x1.22 against 4 KiB pages).
    HugePageMemory memory_;
    uint8_t* keys_ = nullptr;
    uint8_t* values_ = nullptr;
};

CpuKvPages& as_cpu(KvPages& pages);  // throws Error(internal) for another backend's pages
// The storage slot of position pos in the sequence of batch row `row`.
int64_t kv_slot(const CpuKvPages& kv, const BatchRows& rows, int64_t row, int32_t pos);

// Asks for `bytes` of a head's consecutive slots ahead of their use: a run ends at its page, and
// the next page of a sequence may lie anywhere, so the hardware prefetchers cannot run ahead alone.
inline void prefetch_kv(const uint8_t* first, int64_t bytes) {
    for (int64_t b = 0; b < bytes; b += 64) __builtin_prefetch(first + b);
}

}  // namespace hearth::cpu
