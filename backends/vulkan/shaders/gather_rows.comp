#version 460
// gather_rows: out row i = x row rows[i] (indices validated by the host); without an index list
// (rows == 0) a plain copy, which read() uses to bring a tensor to host-visible memory.
#include "common.glsl"

layout(local_size_x = 64) in;
layout(push_constant) uniform Push {
    uint64_t x;
    uint64_t rows;  // int32 per output row, or 0
    uint64_t out_;
    uint n_rows;
    uint cols;
} p;

void main() {
    uint i = flat_invocation();
    if (i >= p.n_rows * p.cols) return;
    uint r = i / p.cols;
    uint c = i % p.cols;
    uint source = p.rows == 0ul ? r : uint(Ints(p.rows).v[r]);
    Floats(p.out_).v[i] = Floats(p.x).v[source * p.cols + c];
}
