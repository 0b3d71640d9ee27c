#version 460
// add_bias: x[r, c] += bias[c].
#include "common.glsl"

layout(local_size_x = 64) in;
layout(push_constant) uniform Push {
    uint64_t x;
    uint64_t bias;
    uint n;
    uint cols;
} p;

void main() {
    uint i = flat_invocation();
    if (i >= p.n) return;
    precise float v = Floats(p.x).v[i] + Floats(p.bias).v[i % p.cols];
    Floats(p.x).v[i] = v;
}
