// NEON dots of the K types with Q8_K activations, bit-identical to core/quant/quant_k.cpp: ggml's
// arithmetic (the exact one) and the blockwise one (at the end). The exact reference keeps 8 int32
// lanes (lane l gets the products of elements e with e % 8 == l, each times its sub-block scale) and
// then 8 float lanes. SMULL of 8 consecutive int8 quants puts element e in int16 lane e % 8, so two
// int32x4 registers hold exactly the reference's int lanes and two float32x4 registers its float
// lanes, with the same float steps in the same order. Target attributes: see neon_blocks.h.
#include <cstring>

#include "backends/cpu/kernels/dot_kernels.h"
#include "backends/cpu/kernels/neon_blocks.h"
#include "core/quant/blocks.h"

namespace hearth::cpu {
namespace {

struct IntLanes {
    int32x4_t lo = vdupq_n_s32(0);  // lanes 0-3
    int32x4_t hi = vdupq_n_s32(0);  // lanes 4-7
};

struct FloatLanes {
    float32x4_t lo = vdupq_n_f32(0.0f);
    float32x4_t hi = vdupq_n_f32(0.0f);
};

// lanes[e % 8] += scale * (y[e] * w[e]) for the 16 elements of one run; the products fit int16 for
// every K type (as the reference's int16 cast assumes), so SMULL and SMLAL are exact.
HEARTH_DOTPROD inline void add_run16(IntLanes& lanes, int8x16_t w, const int8_t* y, int16_t scale) {
    const int8x16_t a = vld1q_s8(y);
    const int16x8_t first = vmull_s8(vget_low_s8(w), vget_low_s8(a));
    const int16x8_t second = vmull_high_s8(w, a);
    lanes.lo = vmlal_n_s16(lanes.lo, vget_low_s16(first), scale);
    lanes.hi = vmlal_high_n_s16(lanes.hi, first, scale);
    lanes.lo = vmlal_n_s16(lanes.lo, vget_low_s16(second), scale);
    lanes.hi = vmlal_high_n_s16(lanes.hi, second, scale);
}

// float_lanes[l] += scale * float(lanes[l]): one multiply and one add per lane, as the reference.
HEARTH_DOTPROD inline void add_scaled(FloatLanes& acc, const IntLanes& lanes, float scale) {
    const float32x4_t s = vdupq_n_f32(scale);
    acc.lo = vaddq_f32(acc.lo, vmulq_f32(s, vcvtq_f32_s32(lanes.lo)));
    acc.hi = vaddq_f32(acc.hi, vmulq_f32(s, vcvtq_f32_s32(lanes.hi)));
}

// total + lane 0 + lane 1 + ... + lane 7, in that order.
HEARTH_DOTPROD inline float sum_lanes(float total, const FloatLanes& acc) {
    float lanes[8];
    vst1q_f32(lanes, acc.lo);
    vst1q_f32(lanes + 4, acc.hi);
    for (float lane : lanes) total += lane;
    return total;
}

// A Q4_K / Q5_K super-block's 8 sub-block scales and mins (unpack_scale_min_k4 for j = 0..7), from
// its 12 packed bytes taken as three little-endian words.
struct ScalesMins {
    uint8_t scales[kQK_K / 32];
    uint8_t mins[kQK_K / 32];
};

inline ScalesMins unpack_scales_mins(const uint8_t* packed) {
    uint32_t w[3];
    std::memcpy(w, packed, sizeof(w));
    constexpr uint32_t low6 = 0x3F3F3F3F, low4 = 0x0F0F0F0F, low2 = 0x03030303;
    const uint32_t words[4] = {w[0] & low6, (w[2] & low4) | ((w[0] >> 6) & low2) << 4,  // scales 0-3, 4-7
                               w[1] & low6, ((w[2] >> 4) & low4) | ((w[1] >> 6) & low2) << 4};  // mins 0-3, 4-7
    ScalesMins out;
    std::memcpy(out.scales, words, sizeof(out.scales));
    std::memcpy(out.mins, words + 2, sizeof(out.mins));
    return out;
}

// sum over j of mins[j] * (bsums[2 j] + bsums[2 j + 1]): the Q4_K / Q5_K min term's integer, in
// int32 as the references (exact in any order; pairs of bsums may not fit int16).
HEARTH_DOTPROD inline int32_t min_sum_k(const uint8_t* mins, const int16_t* bsums) {
    const uint16x8_t m = vmovl_u8(vld1_u8(mins));
    const int32x4_t first = vmulq_s32(vpaddlq_s16(vld1q_s16(bsums)), vreinterpretq_s32_u32(vmovl_u16(vget_low_u16(m))));
    return vaddvq_s32(vmlaq_s32(first, vpaddlq_s16(vld1q_s16(bsums + 8)), vreinterpretq_s32_u32(vmovl_high_u16(m))));
}

// The min term dmin * d8 * sum(bsums * mins), which the references subtract from their totals.
HEARTH_DOTPROD inline float q45k_min_term(uint16_t dmin, const ScalesMins& sm, const BlockQ8_K& y) {
    return half_to_float(dmin) * y.d * static_cast<float>(min_sum_k(sm.mins, y.bsums));
}

// High bits of Q5_K: 16 where qh[l] has `mask` set, for the 16 bytes of qh at l.
HEARTH_DOTPROD inline int8x16_t q5k_bit(uint8x16_t qh, uint8_t mask) {
    return vreinterpretq_s8_u8(vandq_u8(vtstq_u8(qh, vdupq_n_u8(mask)), vdupq_n_u8(16)));
}

// Q4_K and Q5_K share the layout of the low 4 bits; Q5_K adds bit 4 from qh (see blocks.h).
enum class HighBit { none, from_qh };

// run(quants, activations, scale) for each run of 16 quants of a Q4_K / Q5_K super-block x, with
// the activation quants they meet (from y) and their sub-block's scale.
template <HighBit kHighBit, class Block, class Run>
HEARTH_DOTPROD inline __attribute__((always_inline)) void for_each_q45k_run(const Block& x, const int8_t* y, const ScalesMins& sm,
                                                                           Run&& run) {
    for (int c = 0; c < kQK_K / 64; ++c) {
        const int8_t* a = y + 64 * c;
        for (int half = 0; half < 2; ++half) {
            const uint8x16_t q = vld1q_u8(x.qs + 32 * c + 16 * half);
            int8x16_t lo = low_nibbles(q);
            int8x16_t hi = high_nibbles(q);
            if constexpr (kHighBit == HighBit::from_qh) {
                const uint8x16_t qh = vld1q_u8(x.qh + 16 * half);
                lo = vorrq_s8(lo, q5k_bit(qh, static_cast<uint8_t>(1u << (2 * c))));
                hi = vorrq_s8(hi, q5k_bit(qh, static_cast<uint8_t>(2u << (2 * c))));
            }
            run(lo, a + 16 * half, sm.scales[2 * c]);
            run(hi, a + 32 + 16 * half, sm.scales[2 * c + 1]);
        }
    }
}

template <class Block, HighBit kHighBit>
HEARTH_DOTPROD float dot_q45k(const void* weight_row, const void* act_row, int64_t nblocks) {
    const auto* x = static_cast<const Block*>(weight_row);
    const auto* y = static_cast<const BlockQ8_K*>(act_row);
    FloatLanes acc;
    float total = 0.0f;
    for (int64_t i = 0; i < nblocks; ++i) {
        const ScalesMins sm = unpack_scales_mins(x[i].scales);
        IntLanes lanes;
        for_each_q45k_run<kHighBit>(x[i], y[i].qs, sm, [&](int8x16_t q, const int8_t* a, int scale) HEARTH_DOTPROD {
            add_run16(lanes, q, a, static_cast<int16_t>(scale));
        });
        add_scaled(acc, lanes, half_to_float(x[i].d) * y[i].d);
        total -= q45k_min_term(x[i].dmin, sm, y[i]);
    }
    return sum_lanes(total, acc);
}

// Signed 6-bit quant (q - 32) from 4 low bits and 2 high bits already shifted to bits 0-1.
HEARTH_DOTPROD inline int8x16_t q6(uint8x16_t low4, uint8x16_t high2) {
    const uint8x16_t q = vorrq_u8(low4, vshlq_n_u8(vandq_u8(high2, vdupq_n_u8(3)), 4));
    return vsubq_s8(vreinterpretq_s8_u8(q), vdupq_n_s8(32));
}

// run(quants, activations, scale) for each run of 16 quants of a Q6_K super-block x (as signed
// values q - 32), with the activation quants they meet (from y) and their sub-block's scale.
template <class Run>
HEARTH_DOTPROD inline __attribute__((always_inline)) void for_each_q6k_run(const BlockQ6_K& x, const int8_t* y, Run&& run) {
    const uint8x16_t low4 = vdupq_n_u8(0x0F);
    for (int h = 0; h < kQK_K / 128; ++h) {
        const uint8_t* ql = x.ql + 64 * h;
        const uint8_t* qh = x.qh + 32 * h;
        const int8_t* scales = x.scales + 8 * h;
        const int8_t* a = y + 128 * h;
        for (int l = 0; l < 32; l += 16) {
            const uint8x16_t ql_a = vld1q_u8(ql + l);
            const uint8x16_t ql_b = vld1q_u8(ql + 32 + l);
            const uint8x16_t bits = vld1q_u8(qh + l);
            const int sub = l / 16;  // sub-blocks of 16: elements l.. sit in sub-block l / 16 (+2, +4, +6)
            run(q6(vandq_u8(ql_a, low4), bits), a + l, scales[sub]);
            run(q6(vandq_u8(ql_b, low4), vshrq_n_u8(bits, 2)), a + 32 + l, scales[2 + sub]);
            run(q6(vshrq_n_u8(ql_a, 4), vshrq_n_u8(bits, 4)), a + 64 + l, scales[4 + sub]);
            run(q6(vshrq_n_u8(ql_b, 4), vshrq_n_u8(bits, 6)), a + 96 + l, scales[6 + sub]);
        }
    }
}

HEARTH_DOTPROD float dot_q6k(const void* weight_row, const void* act_row, int64_t nblocks) {
    const auto* x = static_cast<const BlockQ6_K*>(weight_row);
    const auto* y = static_cast<const BlockQ8_K*>(act_row);
    FloatLanes acc;
    for (int64_t i = 0; i < nblocks; ++i) {
        IntLanes lanes;
        for_each_q6k_run(x[i], y[i].qs, [&](int8x16_t q, const int8_t* a, int scale) HEARTH_DOTPROD {
            add_run16(lanes, q, a, static_cast<int16_t>(scale));
        });
        add_scaled(acc, lanes, half_to_float(x[i].d) * y[i].d);
    }
    return sum_lanes(0.0f, acc);
}

// The blockwise arithmetic (ref::dot_blockwise): each super-block's sub-block dots times their
// scales summed as one int32 (a run's SDOT, then a multiply-add by its scale: exact in any order),
// then the reference's float steps; Q4_K and Q5_K subtract the min term from the activation's bsums.
template <class Block, HighBit kHighBit>
HEARTH_DOTPROD float dot_q45k_blockwise(const void* weight_row, const void* act_row, int64_t nblocks) {
    const auto* x = static_cast<const Block*>(weight_row);
    const auto* y = static_cast<const BlockQ8_K*>(act_row);
    float total = 0.0f;
    for (int64_t i = 0; i < nblocks; ++i) {
        const ScalesMins sm = unpack_scales_mins(x[i].scales);
        int32x4_t sum = vdupq_n_s32(0);
        for_each_q45k_run<kHighBit>(x[i], y[i].qs, sm, [&](int8x16_t q, const int8_t* a, int scale) HEARTH_DOTPROD {
            sum = vmlaq_n_s32(sum, vdotq_s32(vdupq_n_s32(0), q, vld1q_s8(a)), scale);
        });
        total = total + half_to_float(x[i].d) * y[i].d * static_cast<float>(vaddvq_s32(sum));
        total = total - q45k_min_term(x[i].dmin, sm, y[i]);
    }
    return total;
}

HEARTH_DOTPROD float dot_q6k_blockwise(const void* weight_row, const void* act_row, int64_t nblocks) {
    const auto* x = static_cast<const BlockQ6_K*>(weight_row);
    const auto* y = static_cast<const BlockQ8_K*>(act_row);
    float total = 0.0f;
    for (int64_t i = 0; i < nblocks; ++i) {
        int32x4_t sum = vdupq_n_s32(0);
        for_each_q6k_run(x[i], y[i].qs, [&](int8x16_t q, const int8_t* a, int scale) HEARTH_DOTPROD {
            sum = vmlaq_n_s32(sum, vdotq_s32(vdupq_n_s32(0), q, vld1q_s8(a)), scale);
        });
        total = total + half_to_float(x[i].d) * y[i].d * static_cast<float>(vaddvq_s32(sum));
    }
    return total;
}

}  // namespace

void add_neon_k_kernels(DotKernels& kernels) {
    kernels.q4_k = dot_q45k<BlockQ4_K, HighBit::none>;
    kernels.q5_k = dot_q45k<BlockQ5_K, HighBit::from_qh>;
    kernels.q6_k = dot_q6k;
    kernels.blockwise.q4_k = dot_q45k_blockwise<BlockQ4_K, HighBit::none>;
    kernels.blockwise.q5_k = dot_q45k_blockwise<BlockQ5_K, HighBit::from_qh>;
    kernels.blockwise.q6_k = dot_q6k_blockwise;
}

}  // namespace hearth::cpu
