#version 460
// add: out = a + b element-wise (any of them may alias).
#include "common.glsl"

layout(local_size_x = 64) in;
layout(push_constant) uniform Push {
    uint64_t a;
    uint64_t b;
    uint64_t out_;
    uint n;
} p;

void main() {
    uint i = flat_invocation();
    if (i >= p.n) return;
    precise float v = Floats(p.a).v[i] + Floats(p.b).v[i];
    Floats(p.out_).v[i] = v;
}
