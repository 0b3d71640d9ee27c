#pragma once
// IEEE half (fp16) and bfloat16 conversions with ggml's exact results. Halves and bfloat16s are stored
// as uint16_t bit patterns, as they are in GGUF files and block structs.
#include <bit>
#include <cstdint>

namespace hearth {

// Exact: every half is representable as a float (subnormals, infinities and NaN payloads included).
constexpr float fp16_to_f32(uint16_t h) {
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    const uint32_t exponent = (h >> 10) & 0x1Fu;
    uint32_t mantissa = h & 0x3FFu;
    if (exponent == 0x1F) return std::bit_cast<float>(sign | 0x7F800000u | (mantissa << 13));
    if (exponent != 0) return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
    if (mantissa == 0) return std::bit_cast<float>(sign);
    // Subnormal half: shift the mantissa up until its leading one becomes the implicit bit.
    uint32_t float_exponent = 113;
    while ((mantissa & 0x400u) == 0) {
        mantissa <<= 1;
        --float_exponent;
    }
    return std::bit_cast<float>(sign | (float_exponent << 23) | ((mantissa & 0x3FFu) << 13));
}

// Round to nearest, ties to even, as ggml (and F16C hardware) do. Values past the largest half become
// infinity; NaN becomes the canonical quiet NaN 0x7E00 with the input's sign, as ggml's scalar path does.
constexpr uint16_t f32_to_fp16(float f) {
    const uint32_t bits = std::bit_cast<uint32_t>(f);
    const auto sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
    const uint32_t magnitude = bits & 0x7FFFFFFFu;
    if (magnitude > 0x7F800000u) return sign | 0x7E00u;
    if (magnitude >= 0x47800000u) return sign | 0x7C00u;  // >= 65536: infinity even before rounding
    if (magnitude < 0x38800000u) {
        // Below the smallest normal half (2^-14): the result is a subnormal half or zero.
        if (magnitude < 0x33000000u) return sign;  // < 2^-25: rounds to zero (2^-25 itself is a tie to 0)
        const uint32_t exponent = magnitude >> 23;
        const uint32_t mantissa = (magnitude & 0x7FFFFFu) | 0x800000u;
        const uint32_t shift = 126 - exponent;  // 14..24: value = mantissa * 2^(exponent-150), unit 2^-24
        const uint32_t kept = mantissa >> shift;
        const uint32_t rest = mantissa & ((1u << shift) - 1);
        const uint32_t half_way = 1u << (shift - 1);
        const uint32_t rounded = kept + ((rest > half_way || (rest == half_way && (kept & 1u))) ? 1u : 0u);
        return sign | static_cast<uint16_t>(rounded);
    }
    // Normal half: rebias the exponent and round the 13 dropped mantissa bits; a carry may ripple into
    // the exponent, which is exactly right (up to infinity for values at or above 65520).
    const uint32_t rebased = magnitude - 0x38000000u;  // exponent bias 127 -> 15
    const uint32_t kept = rebased >> 13;
    const uint32_t rest = rebased & 0x1FFFu;
    const uint32_t rounded = kept + ((rest > 0x1000u || (rest == 0x1000u && (kept & 1u))) ? 1u : 0u);
    return sign | static_cast<uint16_t>(rounded);
}

// Exact: a bfloat16 is the high half of a float.
constexpr float bf16_to_f32(uint16_t b) { return std::bit_cast<float>(static_cast<uint32_t>(b) << 16); }

// Round to nearest, ties to even, keeping subnormals (no flush), as ggml_compute_fp32_to_bf16 does;
// NaN keeps its sign and top payload bits and is forced quiet (bit 6 of the result set).
constexpr uint16_t f32_to_bf16(float f) {
    const uint32_t bits = std::bit_cast<uint32_t>(f);
    if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<uint16_t>((bits >> 16) | 0x40u);
    return static_cast<uint16_t>((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
}

}  // namespace hearth
