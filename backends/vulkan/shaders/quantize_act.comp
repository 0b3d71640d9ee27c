#version 460
// Activations quantized to the weight's dot type with ggml's reference quantizers
// (core/quant/quant_legacy.cpp quantize_q8_block, quant_k_quantize.cpp Q8_K, half.h): one
// invocation per block (per element for F16 / BF16).
#include "common.glsl"
#include "q8_block.glsl"

layout(local_size_x = 64) in;
layout(push_constant) uniform Push {
    uint64_t x;       // f32 [rows, cols]
    uint64_t out_;    // rows of out_row_bytes
    uint64_t out_row_bytes;
    uint type;        // DTYPE_Q8_0, Q8_1, Q8_K, F16 or BF16
    uint rows;
    uint cols;
} p;

float x_at(uint r, uint c) { return Floats(p.x).v[r * p.cols + c]; }

// Q8_K: scaled by the signed value of largest magnitude (the first on ties), bsums per 16.
void quantize_q8_k(uint r, uint b, uint64_t block) {
    uint first = b * QK_K;
    float amax = 0.0;
    float maxv = 0.0;
    for (uint j = 0u; j < QK_K; ++j) {
        float v = x_at(r, first + j);
        if (abs(v) > amax) {
            amax = abs(v);
            maxv = v;
        }
    }
    if (amax == 0.0) {
        for (uint j = 0u; j < Q8_K_BLOCK_BYTES; j += 4u) Words(block + j).v[0] = 0u;
        return;
    }
    precise float iscale = div_rn(-127.0, maxv);
    for (uint g = 0u; g < QK_K / 16u; ++g) {
        int sum = 0;
        for (uint j = 16u * g; j < 16u * g + 16u; ++j) {
            precise float v = iscale * x_at(r, first + j);
            int q = min(127, nearest_int(v));
            st_u8(block + Q8_K_qs + j, uint(q) & 0xFFu);
            sum += q;
        }
        st_u16(block + Q8_K_bsums + 2u * g, uint(sum) & 0xFFFFu);
    }
    st_f32(block + Q8_K_d, div_rn(1.0, iscale));
}

void main() {
    uint i = flat_invocation();
    if (p.type == DTYPE_F16 || p.type == DTYPE_BF16) {
        if (i >= p.rows * p.cols) return;
        uint r = i / p.cols;
        uint c = i % p.cols;
        float v = x_at(r, c);
        st_u16(p.out_ + r * p.out_row_bytes + 2u * c, p.type == DTYPE_F16 ? f32_to_f16(v) : f32_to_bf16(v));
        return;
    }
    uint block_elems = p.type == DTYPE_Q8_K ? QK_K : QK;
    uint blocks_per_row = p.cols / block_elems;
    if (i >= p.rows * blocks_per_row) return;
    uint r = i / blocks_per_row;
    uint b = i % blocks_per_row;
    uint64_t row = p.out_ + r * p.out_row_bytes;
    uint64_t src = p.x + 4ul * (uint64_t(r) * p.cols + b * block_elems);
    if (p.type == DTYPE_Q8_0) quantize_q8_block(src, row + b * Q8_0_BLOCK_BYTES, Q8_0_qs, false);
    if (p.type == DTYPE_Q8_1) quantize_q8_block(src, row + b * Q8_1_BLOCK_BYTES, Q8_1_qs, true);
    if (p.type == DTYPE_Q8_K) quantize_q8_k(r, b, row + b * Q8_K_BLOCK_BYTES);
}
