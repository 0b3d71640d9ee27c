#version 460
// embed: out[r, c] = element c of the table row tokens[r], dequantized as the CPU reference does.
#include "common.glsl"
#include "dequant.glsl"

layout(local_size_x = 64) in;
layout(push_constant) uniform Push {
    uint64_t table;
    uint64_t tokens;  // int32 per row, validated by the host
    uint64_t out_;
    uint64_t row_bytes;
    uint type;
    uint rows;
    uint cols;
} p;

void main() {
    uint i = flat_invocation();
    if (i >= p.rows * p.cols) return;
    uint r = i / p.cols;
    uint c = i % p.cols;
    uint64_t row = p.table + uint64_t(Ints(p.tokens).v[r]) * p.row_bytes;
    Floats(p.out_).v[i] = dequant_element(p.type, row, c);
}
