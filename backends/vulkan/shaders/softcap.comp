#version 460
// softcap: x = tanh(x * (1 / cap)) * cap, with glibc's tanhf (tanhf.glsl); the host passes the
// float 1 / cap, as the CPU reference computes it.
#include "common.glsl"
#include "tanhf.glsl"

layout(local_size_x = 64) in;
layout(push_constant) uniform Push {
    uint64_t x;
    uint n;
    float inverse_cap;
    float cap;
} p;

void main() {
    uint i = flat_invocation();
    if (i >= p.n) return;
    precise float scaled = Floats(p.x).v[i] * p.inverse_cap;
    precise float v = tanhf_ref(scaled) * p.cap;
    Floats(p.x).v[i] = v;
}
