#version 460
// gelu_glu: out = gelu_tanh(gate) * up. Inside (-10, 10) GELU comes from a 65536-entry table
// indexed by the f16 bits of gate, filled on the host with the CPU reference's formula (so the
// tanh is glibc's); outside it is 0 or gate itself, as in the reference.
#include "common.glsl"

layout(local_size_x = 64) in;
layout(push_constant) uniform Push {
    uint64_t gate;
    uint64_t up;
    uint64_t out_;
    uint64_t table;
    uint n;
} p;

void main() {
    uint i = flat_invocation();
    if (i >= p.n) return;
    float g = Floats(p.gate).v[i];
    float gelu = g <= -10.0 ? 0.0 : (g >= 10.0 ? g : Floats(p.table).v[f32_to_f16(g)]);
    precise float v = gelu * Floats(p.up).v[i];
    Floats(p.out_).v[i] = v;
}
