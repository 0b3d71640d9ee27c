#pragma once
// GGUF/ggml quantized block layouts, defined once. Field order, sizes and bit packing follow ggml's
// ggml-common.h so that the bytes of a GGUF tensor can be read in place. Halves (fp16) are stored as
// uint16_t bit patterns (see core/quant/half.h). Every struct is checked against core/quant/dtype.h.
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "core/quant/dtype.h"

namespace hearth {

inline constexpr int kQK = 32;         // elements per block of the legacy types (Q4_0 ... Q8_1)
inline constexpr int kQK_K = 256;      // elements per super-block of the K types
inline constexpr int kScaleBytesK = 12;  // packed 6-bit scales and mins of Q4_K / Q5_K

// x = d * (q - 8), q in 0..15; element j in the low nibble of qs[j], element j+16 in the high nibble.
struct BlockQ4_0 {
    uint16_t d;
    uint8_t qs[kQK / 2];
};

// x = d * q + m, q in 0..15; nibble order as Q4_0.
struct BlockQ4_1 {
    uint16_t d;
    uint16_t m;
    uint8_t qs[kQK / 2];
};

// x = d * (q - 16), q in 0..31; low 4 bits as Q4_0, bit 4 of element j is bit j of qh (little endian).
struct BlockQ5_0 {
    uint16_t d;
    uint8_t qh[4];
    uint8_t qs[kQK / 2];
};

// x = d * q + m, q in 0..31; packing as Q5_0.
struct BlockQ5_1 {
    uint16_t d;
    uint16_t m;
    uint8_t qh[4];
    uint8_t qs[kQK / 2];
};

// x = d * q.
struct BlockQ8_0 {
    uint16_t d;
    int8_t qs[kQK];
};

// Activation type for Q4_1 / Q5_1 dot products: x = d * q, and s = fp16(d * sum(q)) with the float d
// before its rounding to fp16 (ggml's quantize_row_q8_1_ref), so the weight's offset m contributes
// m * s to a dot without touching the quants.
struct BlockQ8_1 {
    uint16_t d;
    uint16_t s;
    int8_t qs[kQK];
};

// 8 sub-blocks of 32: x = d * sc[j] * q - dmin * m[j], q in 0..15, sc/m 6-bit, packed in scales[12]
// (see unpack_scale_min_k4). Each 64-element chunk c uses qs[32c .. 32c+31]: low nibbles for its
// first 32 elements, high nibbles for the next 32.
struct BlockQ4_K {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[kScaleBytesK];
    uint8_t qs[kQK_K / 2];
};

// As Q4_K with 5-bit quants: bit 4 of element 64c + i (i < 32) is bit 2c of qh[i], and of
// element 64c + 32 + i is bit 2c+1 of qh[i].
struct BlockQ5_K {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[kScaleBytesK];
    uint8_t qh[kQK_K / 8];
    uint8_t qs[kQK_K / 2];
};

// 16 sub-blocks of 16: x = d * scales[j] * (q - 32), q in 0..63. Per 128-element half h and i < 32:
// elements i, i+32, i+64, i+96 take their low 4 bits from ql[64h+i] low, ql[64h+32+i] low,
// ql[64h+i] high, ql[64h+32+i] high nibble, and their top 2 bits from qh[32h+i] bits 0-1, 2-3, 4-5, 6-7.
struct BlockQ6_K {
    uint8_t ql[kQK_K / 2];
    uint8_t qh[kQK_K / 4];
    int8_t scales[kQK_K / 16];
    uint16_t d;
};

// Activation type for the K dot products: x = d * q with a float scale, plus the sum of each run of
// 16 quants (bsums) so weight offsets can be applied per sub-block.
struct BlockQ8_K {
    float d;
    int8_t qs[kQK_K];
    int16_t bsums[kQK_K / 16];
};

// Sizes must match the geometry table byte for byte: these structs overlay file bytes.
template <typename Block>
constexpr bool block_matches(DType type, int elems) {
    return std::is_standard_layout_v<Block> && std::is_trivially_copyable_v<Block> &&
           sizeof(Block) == find_dtype_info(type)->block_bytes &&
           static_cast<int>(find_dtype_info(type)->block_elems) == elems;
}
static_assert(block_matches<BlockQ4_0>(DType::Q4_0, kQK));
static_assert(block_matches<BlockQ4_1>(DType::Q4_1, kQK));
static_assert(block_matches<BlockQ5_0>(DType::Q5_0, kQK));
static_assert(block_matches<BlockQ5_1>(DType::Q5_1, kQK));
static_assert(block_matches<BlockQ8_0>(DType::Q8_0, kQK));
static_assert(block_matches<BlockQ8_1>(DType::Q8_1, kQK));
static_assert(block_matches<BlockQ4_K>(DType::Q4_K, kQK_K));
static_assert(block_matches<BlockQ5_K>(DType::Q5_K, kQK_K));
static_assert(block_matches<BlockQ6_K>(DType::Q6_K, kQK_K));
static_assert(block_matches<BlockQ8_K>(DType::Q8_K, kQK_K));

// Field offsets that the packed layouts rely on (no hidden padding anywhere).
static_assert(offsetof(BlockQ5_0, qs) == 6 && offsetof(BlockQ5_1, qs) == 8);
static_assert(offsetof(BlockQ8_1, qs) == 4);
static_assert(offsetof(BlockQ4_K, qs) == 16 && offsetof(BlockQ5_K, qh) == 16 && offsetof(BlockQ5_K, qs) == 48);
static_assert(offsetof(BlockQ6_K, scales) == 192 && offsetof(BlockQ6_K, d) == 208);
static_assert(offsetof(BlockQ8_K, bsums) == 260);

// Sub-block j (0..7) scale and min of a Q4_K / Q5_K block: 6 bits each. For j < 4 they are the low
// 6 bits of scales[j] and scales[j+4]; for j >= 4 the low 4 bits come from the nibbles of scales[j+4]
// and the top 2 bits from the spare top bits of scales[j-4] (scale) and scales[j] (min).
struct ScaleMin {
    uint8_t scale;
    uint8_t min;
};
constexpr ScaleMin unpack_scale_min_k4(int j, const uint8_t* scales) {
    if (j < 4) return {static_cast<uint8_t>(scales[j] & 63), static_cast<uint8_t>(scales[j + 4] & 63)};
    return {static_cast<uint8_t>((scales[j + 4] & 0xF) | ((scales[j - 4] >> 6) << 4)),
            static_cast<uint8_t>((scales[j + 4] >> 4) | ((scales[j] >> 6) << 4))};
}

}  // namespace hearth
