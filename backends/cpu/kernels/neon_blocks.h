#pragma once
// NEON helpers shared by the aarch64 kernels (dot_neon.cpp, dot_neon_k.cpp, tile_neon.cpp): exact conversions of
// block fields into vectors. As with avx2_blocks.h, every function carries the target attribute and
// lives in an unnamed namespace, so no dot-product code is shared with callers on older Arm cores.
#include <arm_neon.h>

#include <cstdint>

// Armv8.2-A is the oldest architecture with the dot-product extension; naming it (rather than only
// "+dotprod") lets the compiler inline arm_neon.h's SDOT intrinsics, which carry that target.
#define HEARTH_DOTPROD __attribute__((target("arch=armv8.2-a+dotprod")))

namespace hearth::cpu {
namespace {

// Exact, as fp16_to_f32: FCVTL widens every half, subnormals included (Linux leaves FPCR.FZ16 clear).
HEARTH_DOTPROD inline float half_to_float(uint16_t h) {
    return vgetq_lane_f32(vcvt_f32_f16(vreinterpret_f16_u16(vdup_n_u16(h))), 0);
}

HEARTH_DOTPROD inline int8x16_t low_nibbles(uint8x16_t q) {
    return vreinterpretq_s8_u8(vandq_u8(q, vdupq_n_u8(0x0F)));
}

HEARTH_DOTPROD inline int8x16_t high_nibbles(uint8x16_t q) { return vreinterpretq_s8_u8(vshrq_n_u8(q, 4)); }

// 0x10 in byte e (e < 16) where bit e of `bits` is set: bit 4 of a 5-bit legacy quant.
HEARTH_DOTPROD inline int8x16_t spread_high_bits(uint16_t bits) {
    const uint8x16_t bytes = vcombine_u8(vdup_n_u8(static_cast<uint8_t>(bits)), vdup_n_u8(static_cast<uint8_t>(bits >> 8)));
    const uint8x16_t bit_of_element = vreinterpretq_u8_u64(vdupq_n_u64(0x8040201008040201ULL));
    return vreinterpretq_s8_u8(vandq_u8(vtstq_u8(bytes, bit_of_element), vdupq_n_u8(0x10)));
}

// A block's 32 quants as bytes: elements 0-15 and 16-31.
struct BlockQuants {
    int8x16_t lo;
    int8x16_t hi;
};

// The 5-bit quants of a Q5 block: nibbles with bit 4 from qh (bits 0-15 for elements 0-15, bits
// 16-31 for elements 16-31).
HEARTH_DOTPROD inline BlockQuants unpack_q5(const uint8_t* qs, const uint8_t* qh) {
    const uint8x16_t q = vld1q_u8(qs);
    const auto bits_lo = static_cast<uint16_t>(qh[0] | qh[1] << 8);
    const auto bits_hi = static_cast<uint16_t>(qh[2] | qh[3] << 8);
    return {vorrq_s8(low_nibbles(q), spread_high_bits(bits_lo)), vorrq_s8(high_nibbles(q), spread_high_bits(bits_hi))};
}

// Sum of w[e] * y[e] for 32 int8 pairs, w split in two vectors of 16: SDOT forms exact int32 sums.
HEARTH_DOTPROD inline int dot32(int8x16_t w_lo, int8x16_t w_hi, const int8_t* y) {
    int32x4_t acc = vdotq_s32(vdupq_n_s32(0), w_lo, vld1q_s8(y));
    acc = vdotq_s32(acc, w_hi, vld1q_s8(y + 16));
    return vaddvq_s32(acc);
}

}  // namespace
}  // namespace hearth::cpu
