#version 460
// rope: rotates pair i of every head of row r by the angle whose cosine and sine the host computed
// with the CPU reference's float recurrence and libm (so they are the same bits); one invocation
// per (row, head, pair).
#include "common.glsl"

layout(local_size_x = 64) in;
layout(push_constant) uniform Push {
    uint64_t x;
    uint64_t cos_sin;  // float [rows][n_dims / 2][2]: cosine, sine
    uint rows;
    uint cols;
    uint head_dim;
    uint n_dims;
    uint neox;  // 0: pairs (2i, 2i+1); 1: pairs (i, i + n_dims/2)
} p;

void main() {
    uint half_dims = p.n_dims / 2u;
    uint heads = p.cols / p.head_dim;
    uint i = flat_invocation();
    if (i >= p.rows * heads * half_dims) return;
    uint pair = i % half_dims;
    uint head = (i / half_dims) % heads;
    uint r = i / (half_dims * heads);
    uint base = r * p.cols + head * p.head_dim;
    uint a = p.neox != 0u ? pair : 2u * pair;
    uint b = p.neox != 0u ? pair + half_dims : 2u * pair + 1u;
    uint angle = (r * half_dims + pair) * 2u;
    float c = Floats(p.cos_sin).v[angle];
    float s = Floats(p.cos_sin).v[angle + 1u];
    float x0 = Floats(p.x).v[base + a];
    float x1 = Floats(p.x).v[base + b];
    precise float y0 = x0 * c - x1 * s;
    precise float y1 = x0 * s + x1 * c;
    Floats(p.x).v[base + a] = y0;
    Floats(p.x).v[base + b] = y1;
}
