#pragma once
// RoPE one row at a time (ops_rope.cpp): the rope op and decode's fused self-attention share it.
#include <cstdint>

#include "backends/backend.h"

namespace hearth::cpu {

// Throws for parameters the op cannot take (odd or too many rotated dimensions, bad factors).
void check_rope(const RopeParams& p, int32_t head_dim);
// The cosine and sine of each rotated pair's angle at position pos, interleaved (p.n_dims floats).
void rope_angles(const RopeParams& p, int32_t pos, float* cos_sin);
// Rotates the first p.n_dims values of each of n_heads heads of head_dim values at v.
void rope_heads(const RopeParams& p, const float* cos_sin, int64_t n_heads, int32_t head_dim, float* v);

}  // namespace hearth::cpu
