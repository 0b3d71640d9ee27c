// Legacy 32-element blocks against Q8_0 / Q8_1 activations. A weight block is decoded once into
// its 32 quants (minus the type's offset), dotted with each activation row's block (an integer
// sum: exact in any order), and finished with the float steps of core/quant/quant_legacy.cpp's
// dot(): finish_* returns exactly what the reference adds to its running sum for that block.
// The caller adds these in block order (matmul.comp).

// A block's 32 quants (minus the type's offset) as 8 words of 4 signed bytes in element order,
// word k holding elements 4k..4k+3 like the activation block's words, so each word pair is one
// dot4 (int_dot.glsl).

// Bits 0..3 of `bits` moved to bit 4 of bytes 0..3: the 5th bits of four Q5 quants.
uint fifth_bits(uint bits) { return ((bits & 1u) << 4) | ((bits & 2u) << 11) | ((bits & 4u) << 18) | ((bits & 8u) << 25); }

// Each byte (0..31) minus `offset` (0..16), as a signed byte: the bytes are lifted by 128 first so
// that no borrow crosses into the next byte, and the lift is flipped back afterwards.
uint minus_bytes(uint bytes, uint offset) { return ((bytes | 0x80808080u) - offset * 0x01010101u) ^ 0x80808080u; }

// From 16 packed bytes (low nibbles: elements 0-15, high nibbles: 16-31) plus the optional 5th
// bits in qh.
void decode_nibbles(uint64_t qs, bool aligned, uint qh, bool has_qh, uint offset, out uint q[8]) {
    for (uint k = 0u; k < 4u; ++k) {
        uint packed = aligned ? ld_u32(qs + 4u * k) : ld_u32_even(qs + 4u * k);
        uint lo = packed & 0x0F0F0F0Fu;
        uint hi = (packed >> 4) & 0x0F0F0F0Fu;
        if (has_qh) {
            lo |= fifth_bits(qh >> (4u * k));
            hi |= fifth_bits(qh >> (4u * k + 16u));
        }
        q[k] = minus_bytes(lo, offset);
        q[k + 4u] = minus_bytes(hi, offset);
    }
}

void decode_q4_0(uint64_t wb, out uint q[8]) { decode_nibbles(wb + Q4_0_qs, false, 0u, false, 8u, q); }
void decode_q4_1(uint64_t wb, out uint q[8]) { decode_nibbles(wb + Q4_1_qs, true, 0u, false, 0u, q); }
void decode_q5_0(uint64_t wb, out uint q[8]) { decode_nibbles(wb + Q5_0_qs, false, ld_u32_even(wb + Q5_0_qh), true, 16u, q); }
void decode_q5_1(uint64_t wb, out uint q[8]) { decode_nibbles(wb + Q5_1_qs, true, ld_u32(wb + Q5_1_qh), true, 0u, q); }

void decode_q8_0(uint64_t wb, out uint q[8]) {
    for (uint k = 0u; k < QK / 4u; ++k) q[k] = ld_u32_even(wb + Q8_0_qs + 4u * k);
}

// Sum of the quants' products with one Q8 block's quants at y (4-byte aligned in Q8_1, 2 in Q8_0).
int dot_block(uint q[8], uint64_t y, bool aligned) {
    int sum = 0;
    for (uint k = 0u; k < QK / 4u; ++k) sum += dot4(q[k], aligned ? ld_u32(y + 4u * k) : ld_u32_even(y + 4u * k));
    return sum;
}

#if defined(SUBGROUP_GATHER)
// dot_block for invocations that all hold the same activation block (one output row each, TEAM 1,
// in subgroups of at least 8): invocation i loads word i % 8 and the words go round by shuffles,
// one load per word for the whole subgroup instead of one per invocation (on lavapipe each
// invocation's load is a scalar load of its own). Must be reached in uniform control flow.
int dot_block_subgroup(uint q[8], uint64_t y, bool aligned) {
    uint held = gl_SubgroupInvocationID % 8u;
    uint word = aligned ? ld_u32(y + 4u * held) : ld_u32_even(y + 4u * held);
    int sum = 0;
    for (uint k = 0u; k < QK / 4u; ++k) sum += dot4(q[k], subgroupShuffle(word, k));
    return sum;
}
#endif

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
