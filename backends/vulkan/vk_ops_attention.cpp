// kv_store and paged attention (shaders/kv_store.comp, attention.comp): the host checks and
// uploads the batch rows, the shaders follow backends/cpu's arithmetic.
#include <algorithm>
#include <bit>
#include <string>

#include "backends/vulkan/vk_backend.h"
#include "backends/vulkan/vk_batch_rows.h"
#include "backends/vulkan/vk_kv_pages.h"
#include "core/error.h"

namespace hearth::vk {
namespace {

constexpr int32_t kMaxHeadDim = 512;                 // attention.comp's shared q16 array
constexpr uint64_t kMaxScratchBytes = 64ull << 20;   // scores of one attention dispatch

struct KvStorePush {
    uint64_t k, v, k_pages, v_pages, batch_rows, tables;
    uint32_t rows, kv_dim, page_size, slot_bytes, q8;
    uint32_t unused = 0;  // no tail padding (has_no_padding)
};

struct AttentionPush {
    uint64_t q, out, k_pages, v_pages, batch_rows, tables, scratch;
    uint32_t row_begin, rows, n_head, group, head_dim, page_size, slot_bytes, head_bytes, key_capacity, window, q8;
    float scale;
};

// Scores each (row, head) has room for in the scratch: the most keys a row attends to, rounded up
// to a power of two (at least one key per invocation). Each row's own key count comes from its
// uploaded position, so in steady decoding the scratch size and the push constants change only
// when the longest sequence passes a power of two, and a step's commands repeat the previous
// step's (vk_commands.h replays them).
uint32_t key_capacity(int32_t max_keys) {
    return std::bit_ceil(static_cast<uint32_t>(std::max<int32_t>(max_keys, 64)));
}

}  // namespace

void VulkanBackend::kv_store(KvPages& pages, int32_t layer, Tensor k, Tensor v, const BatchRows& rows) {
    VulkanKvPages& kv = as_vulkan(pages);
    const KvLayout& layout = kv.layout();
    require(k.cols == layout.kv_dim && v.cols == layout.kv_dim && k.rows == v.rows &&
                k.rows == static_cast<int64_t>(rows.positions.size()) && layer >= 0 && layer < layout.n_layer,
            ErrorKind::internal, "kv_store: shape mismatch");
    if (k.rows == 0) return;
    const PackedRows packed = pack_rows(rows, layout, RowAccess::own_slot, 0);
    const bool q8 = layout.type == DType::Q8_0;
    const KvStorePush push{address_of(k), address_of(v), kv.keys(layer).address(), kv.values(layer).address(),
                           upload_ints(packed.rows), upload_ints(packed.tables), static_cast<uint32_t>(k.rows),
                           static_cast<uint32_t>(layout.kv_dim), static_cast<uint32_t>(layout.page_size),
                           static_cast<uint32_t>(layout.slot_bytes()), q8 ? 1u : 0u};
    const uint64_t per_row = q8 ? layout.kv_dim / dtype_info(DType::Q8_0).block_elems : layout.kv_dim;
    run("kv_store", push, 2 * static_cast<uint64_t>(k.rows) * per_row,
        {reads(k), reads(v), writes(kv.keys(layer)), writes(kv.values(layer))});
}

void VulkanBackend::attention(KvPages& pages, int32_t layer, Tensor q, const BatchRows& rows,
                              const AttentionParams& p, Tensor out) {
    VulkanKvPages& kv = as_vulkan(pages);
    const KvLayout& layout = kv.layout();
    require(p.n_head > 0 && p.n_head_kv > 0 && p.n_head % p.n_head_kv == 0 &&
                q.cols == static_cast<int64_t>(p.n_head) * p.head_dim && out.rows == q.rows && out.cols == q.cols &&
                layout.kv_dim == p.n_head_kv * p.head_dim && q.rows == static_cast<int64_t>(rows.positions.size()) &&
                layer >= 0 && layer < layout.n_layer,
            ErrorKind::internal, "attention: shape mismatch");
    require(p.head_dim % dtype_info(layout.type).block_elems == 0, ErrorKind::unsupported,
            "attention heads of " + std::to_string(p.head_dim) + " values are not whole " +
                std::string(dtype_info(layout.type).name) + " blocks");
    require(p.head_dim <= kMaxHeadDim, ErrorKind::unsupported,
            "the Vulkan attention shader takes heads of up to " + std::to_string(kMaxHeadDim) + " values, not " +
                std::to_string(p.head_dim));
    if (q.rows == 0) return;
    const PackedRows packed = pack_rows(rows, layout, RowAccess::attended_keys, p.sliding_window);
    const uint32_t capacity = key_capacity(packed.max_keys);
    const uint64_t row_scratch = static_cast<uint64_t>(p.n_head) * capacity * sizeof(float);
    const int64_t rows_per_dispatch = std::clamp<int64_t>(kMaxScratchBytes / row_scratch, 1, q.rows);
    const uint64_t scratch_bytes = row_scratch * rows_per_dispatch;
    const uint64_t scratch = activations_.alloc(scratch_bytes).address;
    AttentionPush push{address_of(q), address_of(out), kv.keys(layer).address(), kv.values(layer).address(),
                       upload_ints(packed.rows), upload_ints(packed.tables), scratch,
                       0, 0, static_cast<uint32_t>(p.n_head), static_cast<uint32_t>(p.n_head / p.n_head_kv),
                       static_cast<uint32_t>(p.head_dim), static_cast<uint32_t>(layout.page_size),
                       static_cast<uint32_t>(layout.slot_bytes()),
                       static_cast<uint32_t>(row_bytes(dtype_info(layout.type), static_cast<uint64_t>(p.head_dim))),
                       capacity, static_cast<uint32_t>(std::max(0, p.sliding_window)),
                       layout.type == DType::Q8_0 ? 1u : 0u, p.scale};
    for (int64_t begin = 0; begin < q.rows; begin += rows_per_dispatch) {
        push.row_begin = static_cast<uint32_t>(begin);
        push.rows = static_cast<uint32_t>(std::min(rows_per_dispatch, q.rows - begin));
        run_groups("attention", push, static_cast<uint64_t>(push.rows) * p.n_head,
                   {reads(q), reads(kv.keys(layer)), reads(kv.values(layer)), write_access(scratch, scratch_bytes),
                    writes(out)});
    }
}

}  // namespace hearth::vk
