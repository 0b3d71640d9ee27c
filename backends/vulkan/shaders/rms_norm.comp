#version 460
// rms_norm: one workgroup per row. The sum of squares is one sequential double sum (the CPU
// reference's order), so the first invocation computes it; all then scale their columns.
// x and out may be the same tensor: every read of the sum happens before the barrier.
#include "common.glsl"

layout(local_size_x = 64) in;
layout(push_constant) uniform Push {
    uint64_t x;
    uint64_t weight;
    uint64_t out_;
    uint rows;
    uint cols;
    float eps;
} p;

shared float row_scale;

void main() {
    uint r = flat_workgroup();
    if (r >= p.rows) return;
    uint base = r * p.cols;
    if (gl_LocalInvocationID.x == 0u) {
        precise double sum = 0.0lf;
        for (uint i = 0u; i < p.cols; ++i) {
            float v = Floats(p.x).v[base + i];
            precise float square = v * v;
            sum = sum + double(square);
        }
        precise double mean_d = sum / double(p.cols);
        precise float shifted = float(mean_d) + p.eps;
        row_scale = div_rn(1.0, sqrt_rn(shifted));
    }
    barrier();
    float scale = row_scale;
    for (uint i = gl_LocalInvocationID.x; i < p.cols; i += gl_WorkGroupSize.x) {
        precise float v = Floats(p.x).v[base + i] * scale;
        v = v * Floats(p.weight).v[i];
        Floats(p.out_).v[base + i] = v;
    }
}
