#version 460
// swiglu: out = silu(gate) * up, with glibc's expf and a correctly rounded division (expf.glsl).
#include "common.glsl"
#include "expf.glsl"

layout(local_size_x = 64) in;
layout(push_constant) uniform Push {
    uint64_t gate;
    uint64_t up;
    uint64_t out_;
    uint n;
} p;

void main() {
    uint i = flat_invocation();
    if (i >= p.n) return;
    precise float v = silu_ref(Floats(p.gate).v[i]) * Floats(p.up).v[i];
    Floats(p.out_).v[i] = v;
}
