// Element i of a row of any weight type, with the CPU reference's dequantize_row float expressions
// (core/quant/quant_legacy.cpp, quant_k.cpp). Needs common.glsl.

// Sub-block j (0..7) scale and min of a Q4_K / Q5_K block (see core/quant/blocks.h).
uvec2 scale_min_k4(uint64_t scales, uint j) {
    if (j < 4u) return uvec2(ld_u8(scales + j) & 63u, ld_u8(scales + j + 4u) & 63u);
    uint a = ld_u8(scales + j + 4u);
    return uvec2((a & 0xFu) | ((ld_u8(scales + j - 4u) >> 6) << 4), (a >> 4) | ((ld_u8(scales + j) >> 6) << 4));
}

// Bit 4 of the 5-bit quant of element j (0..31) of a Q5_0 / Q5_1 block, from its 32-bit qh.
uint q5_high_bit(uint qh, uint j) {
    return j < 16u ? ((qh >> j) << 4) & 0x10u : (qh >> (j - 16u + 12u)) & 0x10u;
}

// The 4-bit quant of element j of a legacy block's 16 packed bytes.
uint nibble(uint64_t qs, uint j) {
    uint b = ld_u8(qs + (j & 15u));
    return j < 16u ? b & 0xFu : b >> 4;
}

// Q4_K and Q5_K (qh == 0 for Q4_K); d and dmin are the block's first two halves in both.
float dequant_q4_k_like(uint64_t block, uint e, uint64_t scales, uint64_t qs, uint64_t qh) {
    precise float d = ld_f16(block + Q4_K_d);
    precise float dmin = ld_f16(block + Q4_K_dmin);
    uint chunk = e / 64u;
    uint upper = (e % 64u) / 32u;  // 0: low nibbles, 1: high nibbles
    uint l = e % 32u;
    uvec2 sm = scale_min_k4(scales, 2u * chunk + upper);
    precise float dl = d * float(sm.x);
    precise float ml = dmin * float(sm.y);
    uint b = ld_u8(qs + 32u * chunk + l);
    uint q = upper == 0u ? b & 0xFu : b >> 4;
    if (qh != 0ul && (ld_u8(qh + l) & (1u << (2u * chunk + upper))) != 0u) q += 16u;
    precise float v = dl * float(q) - ml;
    return v;
}

float dequant_q6_k(uint64_t block, uint e) {
    uint half_index = e / 128u;
    uint quarter = (e % 128u) / 32u;
    uint l = e % 32u;
    uint64_t ql = block + Q6_K_ql + 64u * half_index + (quarter % 2u) * 32u + l;
    uint low = quarter < 2u ? ld_u8(ql) & 0xFu : ld_u8(ql) >> 4;
    uint high = (ld_u8(block + Q6_K_qh + 32u * half_index + l) >> (2u * quarter)) & 3u;
    int q = int(low | (high << 4)) - 32;
    precise float d = ld_f16(block + Q6_K_d);
    precise float v = d * float(ld_i8(block + Q6_K_scales + e / 16u));
    v = v * float(q);
    return v;
}

float dequant_element(uint type, uint64_t row, uint i) {
    if (type == DTYPE_F32) return ld_f32(row + 4u * i);
    if (type == DTYPE_F16) return ld_f16(row + 2u * i);
    if (type == DTYPE_BF16) return bf16_to_f32(ld_u16(row + 2u * i));
    uint j = i % QK;
    if (type == DTYPE_Q4_0) {
        uint64_t b = row + uint64_t(i / QK) * Q4_0_BLOCK_BYTES;
        precise float v = float(int(nibble(b + Q4_0_qs, j)) - 8) * ld_f16(b + Q4_0_d);
        return v;
    }
    if (type == DTYPE_Q4_1) {
        uint64_t b = row + uint64_t(i / QK) * Q4_1_BLOCK_BYTES;
        precise float v = float(nibble(b + Q4_1_qs, j)) * ld_f16(b + Q4_1_d) + ld_f16(b + Q4_1_m);
        return v;
    }
    if (type == DTYPE_Q5_0) {
        uint64_t b = row + uint64_t(i / QK) * Q5_0_BLOCK_BYTES;
        uint q = nibble(b + Q5_0_qs, j) | q5_high_bit(ld_u32_even(b + Q5_0_qh), j);
        precise float v = float(int(q) - 16) * ld_f16(b + Q5_0_d);
        return v;
    }
    if (type == DTYPE_Q5_1) {
        uint64_t b = row + uint64_t(i / QK) * Q5_1_BLOCK_BYTES;
        uint q = nibble(b + Q5_1_qs, j) | q5_high_bit(ld_u32_even(b + Q5_1_qh), j);
        precise float v = float(q) * ld_f16(b + Q5_1_d) + ld_f16(b + Q5_1_m);
        return v;
    }
    if (type == DTYPE_Q8_0) {
        uint64_t b = row + uint64_t(i / QK) * Q8_0_BLOCK_BYTES;
        precise float v = float(ld_i8(b + Q8_0_qs + j)) * ld_f16(b + Q8_0_d);
        return v;
    }
    uint e = i % QK_K;
    if (type == DTYPE_Q4_K) {
        uint64_t b = row + uint64_t(i / QK_K) * Q4_K_BLOCK_BYTES;
        return dequant_q4_k_like(b, e, b + Q4_K_scales, b + Q4_K_qs, 0ul);
    }
    if (type == DTYPE_Q5_K) {
        uint64_t b = row + uint64_t(i / QK_K) * Q5_K_BLOCK_BYTES;
        return dequant_q4_k_like(b, e, b + Q5_K_scales, b + Q5_K_qs, b + Q5_K_qh);
    }
    if (type == DTYPE_Q6_K) return dequant_q6_k(row + uint64_t(i / QK_K) * Q6_K_BLOCK_BYTES, e);
    return uintBitsToFloat(0x7FC00000u);  // the host never sends another type
}
