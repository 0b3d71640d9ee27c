// KV page storage and the ops that write it: kv_store (F16 rounding as ggml's f16 cache, or Q8_0
// with ggml's reference quantizer) and the copy-on-write page copy.
#include "backends/cpu/cpu_kv_pages.h"

#include <algorithm>
#include <string>

#include "backends/cpu/cpu_backend.h"
#include "core/error.h"
#include "core/quant/half.h"
#include "core/quant/quant.h"

namespace hearth::cpu {

CpuKvPages::CpuKvPages(const KvLayout& layout) : layout_(layout) {
    require(layout.n_layer > 0 && layout.kv_dim > 0 && layout.page_size > 0 && layout.n_pages > 0 && layout.head_dim > 0 &&
                layout.kv_dim % layout.head_dim == 0,
            ErrorKind::internal, "KV pages: an empty layout, or heads that do not divide its rows");
    require(layout.type == DType::F16 || layout.type == DType::Q8_0, ErrorKind::unsupported,
            "the CPU backend keeps KV pages as f16 or q8_0, not " + std::string(dtype_info(layout.type).name));
    require(layout.head_dim % dtype_info(layout.type).block_elems == 0, ErrorKind::unsupported,
            "KV heads of " + std::to_string(layout.head_dim) + " values are not whole " +
                std::string(dtype_info(layout.type).name) + " blocks");
    heads_ = layout.kv_dim / layout.head_dim;
    head_bytes_ = static_cast<int64_t>(row_bytes(dtype_info(layout.type), layout.head_dim));
    const auto no_memory = [&] {
        return Error(ErrorKind::out_of_memory, "KV cache: cannot allocate " + std::to_string(layout.n_pages) + " pages of " +
                                                   std::to_string(layout.page_size) + " tokens for " +
                                                   std::to_string(layout.n_layer) + " layers");
    };
    uint64_t n = 1;  // bytes of keys (and of values): whole blocks of pages
    const uint64_t blocks = (uint64_t(layout.n_pages) + kKvBlockPages - 1) / kKvBlockPages;
    for (const uint64_t factor : {uint64_t(layout.n_layer), blocks * kKvBlockPages, uint64_t(layout.page_size), uint64_t(layout.slot_bytes())})
        if (__builtin_mul_overflow(n, factor, &n)) throw no_memory();
    try {
        keys_ = memory_.allocate(n);
        values_ = memory_.allocate(n);
    } catch (const Error&) {
        throw no_memory();
    }
}

void CpuKvPages::copy_page(int32_t from, int32_t to) {
    require(from >= 0 && to >= 0 && from < layout_.n_pages && to < layout_.n_pages, ErrorKind::internal,
            "KV page copy outside the pool");
    const size_t page_bytes = static_cast<size_t>(layout_.page_size) * head_bytes_;  // one head's slots
    const int64_t src = static_cast<int64_t>(from) * layout_.page_size;
    const int64_t dst = static_cast<int64_t>(to) * layout_.page_size;
    for (int32_t layer = 0; layer < layout_.n_layer; ++layer)
        for (int32_t head = 0; head < heads_; ++head) {
            std::copy_n(key(layer, src, head), page_bytes, key(layer, dst, head));
            std::copy_n(value(layer, src, head), page_bytes, value(layer, dst, head));
        }
}

CpuKvPages& as_cpu(KvPages& pages) {
    auto* cpu = dynamic_cast<CpuKvPages*>(&pages);
    require(cpu != nullptr, ErrorKind::internal, "CPU backend given another backend's KV pages");
    return *cpu;
}

int64_t kv_slot(const CpuKvPages& kv, const BatchRows& rows, int64_t row, int32_t pos) {
    const int32_t page_size = kv.layout().page_size;
    const std::span<const int32_t> table = rows.block_tables[rows.sequences[row]];
    require(pos >= 0 && pos / page_size < static_cast<int64_t>(table.size()), ErrorKind::internal,
            [&] { return "position " + std::to_string(pos) + " lies outside its sequence's KV pages"; });
    const int32_t page = table[pos / page_size];
    require(page >= 0 && page < kv.layout().n_pages, ErrorKind::internal, "block table names a page outside the pool");
    return static_cast<int64_t>(page) * page_size + pos % page_size;
}

void CpuBackend::copy_kv_page(KvPages& pages, int32_t from, int32_t to) { as_cpu(pages).copy_page(from, to); }

void CpuBackend::kv_store(KvPages& pages, int32_t layer, Tensor k, Tensor v, const BatchRows& rows) {
    CpuKvPages& kv = as_cpu(pages);
    const int32_t kv_dim = kv.layout().kv_dim;
    require(k.cols == kv_dim && v.cols == kv_dim && k.rows == v.rows &&
                k.rows == static_cast<int64_t>(rows.positions.size()) &&
                rows.sequences.size() == rows.positions.size() && layer >= 0 && layer < kv.layout().n_layer,
            ErrorKind::internal, "kv_store: shape mismatch");
    const DType type = kv.layout().type;
    const int32_t head_dim = kv.layout().head_dim;
    // Rows own distinct slots, so a prompt's rows convert on every thread.
    pool_.parallel_for(k.rows, [&](int64_t r) {
        const int64_t slot = kv_slot(kv, rows, r, rows.positions[r]);
        for (int32_t head = 0; head < kv.heads(); ++head) {
            const int64_t at = r * k.cols + static_cast<int64_t>(head) * head_dim;
            store_kv_values(k.data + at, kv.key(layer, slot, head), head_dim, type);
            store_kv_values(v.data + at, kv.value(layer, slot, head), head_dim, type);
        }
    });
}

void CpuBackend::store_kv_values(const float* values, uint8_t* slot, int64_t n, DType type) const {
    if (type != DType::F16) {
        quantize_row(type, values, slot, n);
        return;
    }
    auto* halves = reinterpret_cast<uint16_t*>(slot);
    if (attention_kernels_.store_f16) attention_kernels_.store_f16(values, halves, n);
    else for (int64_t i = 0; i < n; ++i) halves[i] = f32_to_fp16(values[i]);
}

}  // namespace hearth::cpu
