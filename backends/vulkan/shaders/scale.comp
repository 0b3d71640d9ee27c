#version 460
// scale: x *= factor.
#include "common.glsl"

layout(local_size_x = 64) in;
layout(push_constant) uniform Push {
    uint64_t x;
    uint n;
    float factor;
} p;

void main() {
    uint i = flat_invocation();
    if (i >= p.n) return;
    precise float v = Floats(p.x).v[i] * p.factor;
    Floats(p.x).v[i] = v;
}
