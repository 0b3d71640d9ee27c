#version 460
// attention over paged KV: one workgroup per (row, head), following backends/cpu/ops_attention.cpp
// step by step. q is rounded to f16; each key's dot accumulates float products in double in
// dimension order; scores are scaled floats; exp(score - max) uses glibc's expf; their sum is one
// sequential double sum in key order; probabilities are rounded to f16; each output dimension
// accumulates prob * value in double in key order. Keys are spread over the invocations, the
// sequential sums are done by one invocation, and scores/probabilities live in a scratch slice.
#include "common.glsl"
#include "expf.glsl"
#include "batch_rows.glsl"

layout(local_size_x = 64) in;
layout(push_constant) uniform Push {
    uint64_t q;         // f32 [rows, n_head * head_dim]
    uint64_t out_;
    uint64_t k_pages;   // this layer's key slots
    uint64_t v_pages;
    uint64_t batch_rows;
    uint64_t tables;
    uint64_t scratch;   // float [rows_in_dispatch][n_head][key_capacity]
    uint row_begin;     // first row of this dispatch
    uint rows;          // rows in this dispatch
    uint n_head;
    uint group;         // query heads per KV head
    uint head_dim;
    uint page_size;
    uint slot_bytes;
    uint head_bytes;
    uint key_capacity;  // at least the keys of any row (its own count comes from its position)
    uint window;        // 0: full causal
    uint q8;            // 0: F16 slots, 1: Q8_0 slots
    float scale;
} p;

layout(buffer_reference, std430, buffer_reference_align = 4) coherent buffer Scratch { float v[]; };

const uint kWorkgroup = 64u;
const uint kMaxHeadDim = 512u;
shared float q16[kMaxHeadDim];
shared float partial_max[kWorkgroup];
shared float inv_sum;

float kv_element(uint64_t head, uint d) {
    if (p.q8 == 0u) return ld_f16(head + 2u * d);
    uint64_t block = head + (d / QK) * Q8_0_BLOCK_BYTES;
    precise float v = float(ld_i8(block + Q8_0_qs + d % QK)) * ld_f16(block + Q8_0_d);
    return v;
}

void main() {
    uint task = flat_workgroup();
    if (task >= p.rows * p.n_head) return;
    uint lid = gl_LocalInvocationID.x;
    uint r = p.row_begin + task / p.n_head;
    uint h = task % p.n_head;
    uint kv_head_offset = (h / p.group) * p.head_bytes;
    uint pos = uint(row_position(p.batch_rows, r));
    uint first = p.window > 0u && pos + 1u > p.window ? pos + 1u - p.window : 0u;
    uint n_keys = pos - first + 1u;
    Scratch scores = Scratch(p.scratch + 4ul * uint64_t(task) * p.key_capacity);
    uint64_t q_row = p.q + 4ul * (uint64_t(r) * p.n_head * p.head_dim + h * p.head_dim);
    for (uint d = lid; d < p.head_dim; d += kWorkgroup) q16[d] = round_f16(ld_f32(q_row + 4u * d));
    barrier();

    float local_max = uintBitsToFloat(0xFF800000u);
    for (uint j = lid; j < n_keys; j += kWorkgroup) {
        uint64_t slot = kv_slot(p.batch_rows, p.tables, r, first + j, p.page_size);
        uint64_t key = p.k_pages + slot * p.slot_bytes + kv_head_offset;
        precise double dot = 0.0lf;
        for (uint d = 0u; d < p.head_dim; ++d) {
            precise float product = q16[d] * kv_element(key, d);
            dot = dot + double(product);
        }
        precise float score = float(dot) * p.scale;
        scores.v[j] = score;
        local_max = max(local_max, score);
    }
    partial_max[lid] = local_max;
    barrier();
    float max_score = partial_max[0];
    for (uint i = 1u; i < kWorkgroup; ++i) max_score = max(max_score, partial_max[i]);
    for (uint j = lid; j < n_keys; j += kWorkgroup) {
        precise float shifted = scores.v[j] - max_score;
        scores.v[j] = expf_ref(shifted);
    }
    memoryBarrierBuffer();
    barrier();
    if (lid == 0u) {
        precise double sum = 0.0lf;
        for (uint j = 0u; j < n_keys; ++j) sum = sum + double(scores.v[j]);
        precise double inverse = 1.0lf / sum;
        inv_sum = float(inverse);
    }
    barrier();
    for (uint j = lid; j < n_keys; j += kWorkgroup) {
        precise float prob = scores.v[j] * inv_sum;
        scores.v[j] = round_f16(prob);
    }
    memoryBarrierBuffer();
    barrier();
    for (uint d = lid; d < p.head_dim; d += kWorkgroup) {
        precise double acc = 0.0lf;
        for (uint j = 0u; j < n_keys; ++j) {
            uint64_t slot = kv_slot(p.batch_rows, p.tables, r, first + j, p.page_size);
            precise float product = scores.v[j] * kv_element(p.v_pages + slot * p.slot_bytes + kv_head_offset, d);
            acc = acc + double(product);
        }
        st_f32(p.out_ + 4ul * (uint64_t(r) * p.n_head * p.head_dim + h * p.head_dim + d), float(acc));
    }
}
