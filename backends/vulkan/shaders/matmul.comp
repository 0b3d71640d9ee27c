#version 460
// matmul: out[r, o] = dot(weight row o, activation row r) in the CPU reference's operation order.
// Built once per weight type (-DWEIGHT_<type>); activations arrive in the weight's dot type
// (quantize_act.comp), or as f32 for F32 weights.
//
// Quantized types: each block's contribution is computed exactly as the reference does
// (dot_legacy.glsl / dot_k.glsl) and the contributions are added in block order. With TEAM > 1 a
// team of invocations per output row takes TEAM consecutive blocks at a time and its first
// invocation adds them up (handed over through shared memory, or with -DSUBGROUP_GATHER by
// subgroup shuffles), so the sum is still the reference's; -DINTEGER_DOT uses integer
// dot-product instructions (int_dot.glsl); with ROWS > 1 each weight block
// serves several activation rows, each with sums of its own. Float types: one invocation per output, each product
// joining one double sum in element order (dot_float.glsl).
#include "common.glsl"
#include "dequant.glsl"

layout(local_size_x = 64) in;
layout(push_constant) uniform Push {
    uint64_t w;
    uint64_t x;
    uint64_t out_;
    uint64_t w_row_bytes;
    uint64_t x_row_bytes;
    uint n_in;   // elements per row
    uint n_out;  // weight rows
    uint rows;   // activation rows
} p;

#if defined(WEIGHT_F32) || defined(WEIGHT_F16) || defined(WEIGHT_BF16)
#include "dot_float.glsl"

void main() {
    uint i = flat_invocation();
    if (i >= p.n_out * p.rows) return;
    uint o = i % p.n_out;
    uint r = i / p.n_out;
    uint64_t w = p.w + uint64_t(o) * p.w_row_bytes;
    uint64_t x = p.x + uint64_t(r) * p.x_row_bytes;
#if defined(WEIGHT_F32)
    float v = dot_f32(w, x, p.n_in);
#elif defined(WEIGHT_F16)
    float v = dot_f16(w, x, p.n_in);
#else
    float v = dot_bf16(w, x, p.n_in);
#endif
    Floats(p.out_).v[r * p.n_out + o] = v;
}

#else
// Invocations per output row: 1 on CPU devices (no barriers: each invocation walks its row; with
// -DSUBGROUP_GATHER a subgroup's invocations, which all read the same activation block, load its
// words once between them and pass them round with shuffles), 16
// on GPUs (the host's choice, VulkanOptions::matmul_team). A workgroup holds 64 / TEAM output rows
// times ROWS activation rows; each weight block is decoded once for all ROWS activation rows.
layout(constant_id = 0) const uint TEAM = 16u;
layout(constant_id = 1) const uint ROWS = 1u;
const uint TEAMS = 64u / TEAM;

#if defined(WEIGHT_Q4_0)
#define BLOCK_ELEMS QK
#define W_BLOCK Q4_0_BLOCK_BYTES
#define X_BLOCK Q8_0_BLOCK_BYTES
#define X_QS Q8_0_qs
#define X_ALIGNED false
#define DECODE decode_q4_0
#define FINISH finish_q4_0
#elif defined(WEIGHT_Q4_1)
#define BLOCK_ELEMS QK
#define W_BLOCK Q4_1_BLOCK_BYTES
#define X_BLOCK Q8_1_BLOCK_BYTES
#define X_QS Q8_1_qs
#define X_ALIGNED true
#define DECODE decode_q4_1
#define FINISH finish_q4_1
#elif defined(WEIGHT_Q5_0)
#define BLOCK_ELEMS QK
#define W_BLOCK Q5_0_BLOCK_BYTES
#define X_BLOCK Q8_0_BLOCK_BYTES
#define X_QS Q8_0_qs
#define X_ALIGNED false
#define DECODE decode_q5_0
#define FINISH finish_q5_0
#elif defined(WEIGHT_Q5_1)
#define BLOCK_ELEMS QK
#define W_BLOCK Q5_1_BLOCK_BYTES
#define X_BLOCK Q8_1_BLOCK_BYTES
#define X_QS Q8_1_qs
#define X_ALIGNED true
#define DECODE decode_q5_1
#define FINISH finish_q5_1
#elif defined(WEIGHT_Q8_0)
#define BLOCK_ELEMS QK
#define W_BLOCK Q8_0_BLOCK_BYTES
#define X_BLOCK Q8_0_BLOCK_BYTES
#define X_QS Q8_0_qs
#define X_ALIGNED false
#define DECODE decode_q8_0
#define FINISH finish_q8_0
#elif defined(WEIGHT_Q4_K)
#define BLOCK_ELEMS QK_K
#define W_BLOCK Q4_K_BLOCK_BYTES
#define K_BLOCK block_q4_k
#elif defined(WEIGHT_Q5_K)
#define BLOCK_ELEMS QK_K
#define W_BLOCK Q5_K_BLOCK_BYTES
#define K_BLOCK block_q5_k
#elif defined(WEIGHT_Q6_K)
#define BLOCK_ELEMS QK_K
#define W_BLOCK Q6_K_BLOCK_BYTES
#define K_BLOCK block_q6_k
#define K_NO_MIN
#else
#error "matmul.comp needs -DWEIGHT_<type>"
#endif
#if defined(K_BLOCK)
#define X_BLOCK Q8_K_BLOCK_BYTES
#define PARTS 9u
#else
#define PARTS 1u
#endif

// This invocation's contributions of one block: activation row r's at r * PARTS.
float parts[ROWS * PARTS];
#if defined(SUBGROUP_GATHER)
// Teams are laid out within subgroups (the host picks this variant only when TEAM divides the
// subgroup size, which divides 64), so a team's first invocation reads its members'
// contributions with subgroupShuffle: no shared memory and no workgroup barriers.
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#else
shared float contribution[64][ROWS * PARTS];
#endif

#include "int_dot.glsl"
#include "dot_legacy.glsl"
#include "dot_k.glsl"

#if defined(K_BLOCK)
struct Sums {
    float lanes[8];
    float total;
};
#else
struct Sums {
    float total;
};
#endif

// Adds one block's contribution to activation row r's sums, as the reference's loop body does.
void accumulate(inout Sums s, uint r) {
    uint base = r * PARTS;
#if defined(K_BLOCK)
    for (uint l = 0u; l < 8u; ++l) {
        precise float lane = s.lanes[l] + parts[base + l];
        s.lanes[l] = lane;
    }
#if !defined(K_NO_MIN)
    precise float total = s.total - parts[base + 8u];
    s.total = total;
#endif
#else
    precise float total = s.total + parts[base];
    s.total = total;
#endif
}

float finish_sums(Sums s) {
    precise float total = s.total;
#if defined(K_BLOCK)
    for (uint l = 0u; l < 8u; ++l) total = total + s.lanes[l];
#endif
    return total;
}

// Contributions of block b of weight row w to activation rows x, x + stride, ... (n_rows of them).
void block_parts(uint64_t w, uint64_t x, uint b, uint n_rows) {
    uint64_t wb = w + uint64_t(b) * W_BLOCK;
    uint64_t xb = x + uint64_t(b) * X_BLOCK;
#if defined(K_BLOCK)
    K_BLOCK(wb, xb, p.x_row_bytes, n_rows);
#else
    uint q[8];
    DECODE(wb, q);
    for (uint r = 0u; r < n_rows; ++r) {
        uint64_t xr = xb + r * p.x_row_bytes;
#if defined(SUBGROUP_GATHER)
        int sumi = TEAM == 1u ? dot_block_subgroup(q, xr + X_QS, X_ALIGNED) : dot_block(q, xr + X_QS, X_ALIGNED);
#else
        int sumi = dot_block(q, xr + X_QS, X_ALIGNED);
#endif
        parts[r] = FINISH(wb, xr, sumi);
    }
#endif
}

void main() {
#if defined(SUBGROUP_GATHER)
    uint lid = gl_SubgroupID * gl_SubgroupSize + gl_SubgroupInvocationID;
#else
    uint lid = gl_LocalInvocationID.x;
#endif
    uint team = lid / TEAM;
    uint member = lid % TEAM;
    uint groups_per_row = (p.n_out + TEAMS - 1u) / TEAMS;
    uint g = flat_workgroup();
    if (g >= groups_per_row * ((p.rows + ROWS - 1u) / ROWS)) return;  // uniform over the workgroup
    uint r0 = (g / groups_per_row) * ROWS;
    uint n_rows = min(ROWS, p.rows - r0);
    uint o = (g % groups_per_row) * TEAMS + team;
    bool has_row = o < p.n_out;
    uint nb = p.n_in / BLOCK_ELEMS;
    uint64_t w = p.w + uint64_t(min(o, p.n_out - 1u)) * p.w_row_bytes;
    uint64_t x = p.x + uint64_t(r0) * p.x_row_bytes;
    Sums sums[ROWS];
    for (uint r = 0u; r < ROWS; ++r) {
#if defined(K_BLOCK)
        for (uint l = 0u; l < 8u; ++l) sums[r].lanes[l] = 0.0;
#endif
        sums[r].total = 0.0;
    }
    if (TEAM == 1u) {  // every invocation runs the loop (uniform control flow for the subgroup loads)
        for (uint b = 0u; b < nb; ++b) {
            block_parts(w, x, b, n_rows);
            for (uint r = 0u; r < n_rows; ++r) accumulate(sums[r], r);
        }
    } else {
        for (uint first = 0u; first < nb; first += TEAM) {
            if (has_row && first + member < nb) block_parts(w, x, first + member, n_rows);
#if defined(SUBGROUP_GATHER)
            // Every invocation of the subgroup takes part in each shuffle (the loop bounds are
            // uniform); the first member overwrites its own parts only after sending them (i = 0).
            uint team_first = gl_SubgroupInvocationID - member;
            for (uint i = 0u; i < min(TEAM, nb - first); ++i) {
                float gathered[ROWS * PARTS];
                for (uint k = 0u; k < ROWS * PARTS; ++k) gathered[k] = subgroupShuffle(parts[k], team_first + i);
                if (has_row && member == 0u) {
                    for (uint k = 0u; k < ROWS * PARTS; ++k) parts[k] = gathered[k];
                    for (uint r = 0u; r < n_rows; ++r) accumulate(sums[r], r);
                }
            }
#else
            if (has_row && first + member < nb)
                for (uint i = 0u; i < ROWS * PARTS; ++i) contribution[lid][i] = parts[i];
            barrier();
            if (has_row && member == 0u) {
                for (uint i = 0u; i < min(TEAM, nb - first); ++i) {
                    for (uint k = 0u; k < ROWS * PARTS; ++k) parts[k] = contribution[lid + i][k];
                    for (uint r = 0u; r < n_rows; ++r) accumulate(sums[r], r);
                }
            }
            barrier();
#endif
        }
        if (member != 0u) return;
    }
    if (!has_row) return;
    for (uint r = 0u; r < n_rows; ++r) Floats(p.out_).v[(r0 + r) * p.n_out + o] = finish_sums(sums[r]);
}
#endif
