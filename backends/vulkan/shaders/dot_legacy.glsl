// Legacy 32-element blocks against Q8_0 / Q8_1 activations. A weight block is decoded once into
// its 32 quants (minus the type's offset), dotted with each activation row's block (an integer
// sum: exact in any order), and finished with the float steps of core/quant/quant_legacy.cpp's
// dot(): finish_* returns exactly what the reference adds to its running sum for that block.
// The caller adds these in block order (matmul.comp).

// Quants of one block in element order from 16 packed bytes (low nibbles: elements 0-15, high
// nibbles: 16-31) plus the optional 5th bits in qh, minus `offset`.
void decode_nibbles(uint64_t qs, bool aligned, uint qh, bool has_qh, int offset, out int q[32]) {
    for (uint k = 0u; k < 4u; ++k) {
        uint packed = aligned ? ld_u32(qs + 4u * k) : ld_u32_even(qs + 4u * k);
        for (uint t = 0u; t < 4u; ++t) {
            uint j = 4u * k + t;
            uint lo = (packed >> (8u * t)) & 0xFu;
            uint hi = (packed >> (8u * t + 4u)) & 0xFu;
            if (has_qh) {
                lo |= ((qh >> j) << 4) & 0x10u;
                hi |= (qh >> (j + 12u)) & 0x10u;
            }
            q[j] = int(lo) - offset;
            q[j + 16u] = int(hi) - offset;
        }
    }
}

void decode_q4_0(uint64_t wb, out int q[32]) { decode_nibbles(wb + Q4_0_qs, false, 0u, false, 8, q); }
void decode_q4_1(uint64_t wb, out int q[32]) { decode_nibbles(wb + Q4_1_qs, true, 0u, false, 0, q); }
void decode_q5_0(uint64_t wb, out int q[32]) { decode_nibbles(wb + Q5_0_qs, false, ld_u32_even(wb + Q5_0_qh), true, 16, q); }
void decode_q5_1(uint64_t wb, out int q[32]) { decode_nibbles(wb + Q5_1_qs, true, ld_u32(wb + Q5_1_qh), true, 0, q); }

void decode_q8_0(uint64_t wb, out int q[32]) {
    for (uint k = 0u; k < QK / 4u; ++k) {
        uint word = ld_u32_even(wb + Q8_0_qs + 4u * k);
        for (uint t = 0u; t < 4u; ++t) q[4u * k + t] = sbyte_of(word, t);
    }
}

// Sum of q[j] * y[j] over one Q8 block's quants at y (4-byte aligned in Q8_1, 2 in Q8_0).
int dot_block(int q[32], uint64_t y, bool aligned) {
    int sum = 0;
    for (uint k = 0u; k < QK / 4u; ++k) {
        uint word = aligned ? ld_u32(y + 4u * k) : ld_u32_even(y + 4u * k);
        for (uint t = 0u; t < 4u; ++t) sum += q[4u * k + t] * sbyte_of(word, t);
    }
    return sum;
}

float finish_q4_0(uint64_t wb, uint64_t xb, int sumi) {
    precise float t = float(sumi) * ld_f16(wb + Q4_0_d);
    t = t * ld_f16(xb + Q8_0_d);
    return t;
}

// Q4_1 and Q5_1: (d * y.d) * sum + m * y.s.
float finish_with_min(float d, float m, uint64_t xb, int sumi) {
    precise float scaled = d * ld_f16(xb + Q8_1_d);
    scaled = scaled * float(sumi);
    precise float offset = m * ld_f16(xb + Q8_1_s);
    precise float t = scaled + offset;
    return t;
}

float finish_q4_1(uint64_t wb, uint64_t xb, int sumi) {
    return finish_with_min(ld_f16(wb + Q4_1_d), ld_f16(wb + Q4_1_m), xb, sumi);
}

float finish_q5_0(uint64_t wb, uint64_t xb, int sumi) {
    precise float t = ld_f16(wb + Q5_0_d) * ld_f16(xb + Q8_0_d);
    t = t * float(sumi);
    return t;
}

float finish_q5_1(uint64_t wb, uint64_t xb, int sumi) {
    return finish_with_min(ld_f16(wb + Q5_1_d), ld_f16(wb + Q5_1_m), xb, sumi);
}

float finish_q8_0(uint64_t wb, uint64_t xb, int sumi) {
    precise float scale = ld_f16(wb + Q8_0_d) * ld_f16(xb + Q8_0_d);
    precise float t = float(sumi) * scale;
    return t;
}
