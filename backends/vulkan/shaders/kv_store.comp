#version 460
// kv_store: each row's keys and values into its position's slot of one layer's pages, as f16
// (per element) or Q8_0 (per 32-value block, the reference quantizer).
#include "common.glsl"
#include "q8_block.glsl"
#include "batch_rows.glsl"

layout(local_size_x = 64) in;
layout(push_constant) uniform Push {
    uint64_t k;         // f32 [rows, kv_dim]
    uint64_t v;
    uint64_t k_pages;   // this layer's key slots
    uint64_t v_pages;
    uint64_t batch_rows;
    uint64_t tables;
    uint rows;
    uint kv_dim;
    uint page_size;
    uint slot_bytes;
    uint q8;            // 0: F16 slots, 1: Q8_0 slots
} p;

void main() {
    uint i = flat_invocation();
    uint per_row = p.q8 != 0u ? p.kv_dim / QK : p.kv_dim;
    if (i >= 2u * p.rows * per_row) return;
    bool is_value = i >= p.rows * per_row;
    uint item = i % (p.rows * per_row);
    uint r = item / per_row;
    uint e = item % per_row;
    uint64_t slot = kv_slot(p.batch_rows, p.tables, r, uint(row_position(p.batch_rows, r)), p.page_size);
    uint64_t dst = (is_value ? p.v_pages : p.k_pages) + slot * p.slot_bytes;
    uint64_t src = is_value ? p.v : p.k;
    if (p.q8 != 0u) {
        quantize_q8_block(src + 4ul * (uint64_t(r) * p.kv_dim + QK * e), dst + e * Q8_0_BLOCK_BYTES, Q8_0_qs, false);
    } else {
        st_u16(dst + 2u * e, f32_to_f16(Floats(src).v[r * p.kv_dim + e]));
    }
}
