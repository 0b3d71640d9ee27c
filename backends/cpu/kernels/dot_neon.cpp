// NEON dot kernels for aarch64 CPUs with the dot-product extension, bit-identical to the scalar
// reference in core/quant (quant_legacy.cpp): SDOT forms each block's integer sum, which is exact in
// any order, and the float steps repeat the reference's expressions in its order (the build keeps
// -ffp-contract=off, so no FMLA is formed). Target attributes per function: see neon_blocks.h.
#include "backends/cpu/kernels/dot_kernels.h"
#include "backends/cpu/kernels/neon_blocks.h"
#include "core/quant/blocks.h"

namespace hearth::cpu {
namespace {

HEARTH_DOTPROD float dot_q4_0(const void* weight_row, const void* act_row, int64_t nblocks) {
    const auto* x = static_cast<const BlockQ4_0*>(weight_row);
    const auto* y = static_cast<const BlockQ8_0*>(act_row);
    const int8x16_t eight = vdupq_n_s8(8);
    float sum = 0.0f;
    for (int64_t i = 0; i < nblocks; ++i) {
        const uint8x16_t q = vld1q_u8(x[i].qs);
        const int sumi = dot32(vsubq_s8(low_nibbles(q), eight), vsubq_s8(high_nibbles(q), eight), y[i].qs);
        sum += static_cast<float>(sumi) * half_to_float(x[i].d) * half_to_float(y[i].d);
    }
    return sum;
}

HEARTH_DOTPROD float dot_q4_1(const void* weight_row, const void* act_row, int64_t nblocks) {
    const auto* x = static_cast<const BlockQ4_1*>(weight_row);
    const auto* y = static_cast<const BlockQ8_1*>(act_row);
    float sum = 0.0f;
    for (int64_t i = 0; i < nblocks; ++i) {
        const uint8x16_t q = vld1q_u8(x[i].qs);
        const int sumi = dot32(low_nibbles(q), high_nibbles(q), y[i].qs);
        sum += (half_to_float(x[i].d) * half_to_float(y[i].d)) * static_cast<float>(sumi) +
               half_to_float(x[i].m) * half_to_float(y[i].s);
    }
    return sum;
}

HEARTH_DOTPROD float dot_q5_0(const void* weight_row, const void* act_row, int64_t nblocks) {
    const auto* x = static_cast<const BlockQ5_0*>(weight_row);
    const auto* y = static_cast<const BlockQ8_0*>(act_row);
    const int8x16_t sixteen = vdupq_n_s8(16);
    float sum = 0.0f;
    for (int64_t i = 0; i < nblocks; ++i) {
        const BlockQuants q = unpack_q5(x[i].qs, x[i].qh);
        const int sumi = dot32(vsubq_s8(q.lo, sixteen), vsubq_s8(q.hi, sixteen), y[i].qs);
        sum += (half_to_float(x[i].d) * half_to_float(y[i].d)) * static_cast<float>(sumi);
    }
    return sum;
}

HEARTH_DOTPROD float dot_q5_1(const void* weight_row, const void* act_row, int64_t nblocks) {
    const auto* x = static_cast<const BlockQ5_1*>(weight_row);
    const auto* y = static_cast<const BlockQ8_1*>(act_row);
    float sum = 0.0f;
    for (int64_t i = 0; i < nblocks; ++i) {
        const BlockQuants q = unpack_q5(x[i].qs, x[i].qh);
        const int sumi = dot32(q.lo, q.hi, y[i].qs);
        sum += (half_to_float(x[i].d) * half_to_float(y[i].d)) * static_cast<float>(sumi) +
               half_to_float(x[i].m) * half_to_float(y[i].s);
    }
    return sum;
}

HEARTH_DOTPROD float dot_q8_0(const void* weight_row, const void* act_row, int64_t nblocks) {
    const auto* x = static_cast<const BlockQ8_0*>(weight_row);
    const auto* y = static_cast<const BlockQ8_0*>(act_row);
    float sum = 0.0f;
    for (int64_t i = 0; i < nblocks; ++i) {
        const int sumi = dot32(vld1q_s8(x[i].qs), vld1q_s8(x[i].qs + 16), y[i].qs);
        sum += static_cast<float>(sumi) * (half_to_float(x[i].d) * half_to_float(y[i].d));
    }
    return sum;
}

}  // namespace

DotKernels neon_dot_kernels() {
    DotKernels k;
    k.q4_0 = dot_q4_0;
    k.q4_1 = dot_q4_1;
    k.q5_0 = dot_q5_0;
    k.q5_1 = dot_q5_1;
    k.q8_0 = dot_q8_0;
    add_neon_k_kernels(k);
    add_neon_legacy_tiles(k);
    k.half_gemm = neon_half_gemm_kernels();
    return k;
}

}  // namespace hearth::cpu
