// K super-blocks against Q8_K activations, as core/quant/quant_k.cpp: per activation row eight
// int32 lanes per block (lane l takes the elements whose index is l mod 8; exact in any order),
// then the floats the reference adds for the block: part l = (d * y.d) * float(lane l), which it
// adds to float lane l, and part 8 = (dmin * y.d) * float(min_sum), which it subtracts from its
// total. The caller accumulates the parts in block order and sums total + lanes 0..7 last.
// A weight block is decoded once for up to ROWS activation rows (xb + r * x_stride); the parts of
// row r go to the caller's global `parts[r * 9 + k]` (arrays sized by specialization constants
// cannot be function parameters).

void lane_parts(float d, float y_d, int lanes[8], uint r) {
    precise float scale = d * y_d;
    for (uint l = 0u; l < 8u; ++l) {
        precise float t = scale * float(lanes[l]);
        parts[r * 9u + l] = t;
    }
}

// Bytes t of a, b, c, d gathered into word t (a 4x4 byte transpose).
uvec4 transpose_bytes(uint a, uint b, uint c, uint d) {
    uint ab_even = (a & 0x00FF00FFu) | ((b & 0x00FF00FFu) << 8);  // a0 b0 a2 b2
    uint ab_odd = ((a >> 8) & 0x00FF00FFu) | (b & 0xFF00FF00u);   // a1 b1 a3 b3
    uint cd_even = (c & 0x00FF00FFu) | ((d & 0x00FF00FFu) << 8);
    uint cd_odd = ((c >> 8) & 0x00FF00FFu) | (d & 0xFF00FF00u);
    return uvec4((ab_even & 0xFFFFu) | (cd_even << 16), (ab_odd & 0xFFFFu) | (cd_odd << 16),
                 (ab_even >> 16) | (cd_even & 0xFFFF0000u), (ab_odd >> 16) | (cd_odd & 0xFFFF0000u));
}

// Q4_K (qh_off == 0) and Q5_K, whose layouts differ only by the 5th-bit plane.
void block_q45_k(uint64_t wb, uint64_t xb, uint64_t x_stride, uint n_rows, uint qs_off, uint qh_off) {
    uvec2 sm[8];
    for (uint j = 0u; j < 8u; ++j) sm[j] = scale_min_k4(wb + Q4_K_scales, j);
    int lanes[ROWS][8];
    for (uint r = 0u; r < ROWS; ++r)
        for (uint l = 0u; l < 8u; ++l) lanes[r][l] = 0;
    for (uint c = 0u; c < 4u; ++c) {
        int scale_lo = int(sm[2u * c].x);
        int scale_hi = int(sm[2u * c + 1u].x);
#if defined(INTEGER_DOT)
        // Lane 4 * parity + t takes bytes t of words parity, parity + 2, + 4, + 6: transposed into
        // one word, they are one dot4 sharing one scale (exact: scale * sum = sum of scale * q).
        for (uint parity = 0u; parity < 2u; ++parity) {
            uint lo[4];
            uint hi[4];
            for (uint j = 0u; j < 4u; ++j) {
                uint k = parity + 2u * j;
                uint packed = ld_u32(wb + qs_off + 32u * c + 4u * k);
                uint high_bits = qh_off != 0u ? ld_u32(wb + qh_off + 4u * k) : 0u;
                lo[j] = (packed & 0x0F0F0F0Fu) | (((high_bits >> (2u * c)) & 0x01010101u) << 4);
                hi[j] = ((packed >> 4) & 0x0F0F0F0Fu) | (((high_bits >> (2u * c + 1u)) & 0x01010101u) << 4);
            }
            uvec4 w_lo = transpose_bytes(lo[0], lo[1], lo[2], lo[3]);
            uvec4 w_hi = transpose_bytes(hi[0], hi[1], hi[2], hi[3]);
            for (uint r = 0u; r < n_rows; ++r) {
                uint64_t y = xb + r * x_stride + Q8_K_qs + 64u * c + 4u * parity;
                uvec4 y_lo = transpose_bytes(ld_u32(y), ld_u32(y + 8u), ld_u32(y + 16u), ld_u32(y + 24u));
                uvec4 y_hi = transpose_bytes(ld_u32(y + 32u), ld_u32(y + 40u), ld_u32(y + 48u), ld_u32(y + 56u));
                for (uint t = 0u; t < 4u; ++t)
                    lanes[r][4u * parity + t] += scale_lo * dot4(w_lo[t], y_lo[t]) + scale_hi * dot4(w_hi[t], y_hi[t]);
            }
        }
#else
        for (uint k = 0u; k < 8u; ++k) {
            uint packed = ld_u32(wb + qs_off + 32u * c + 4u * k);
            uint high_bits = qh_off != 0u ? ld_u32(wb + qh_off + 4u * k) : 0u;
            int lo[4];
            int hi[4];
            for (uint t = 0u; t < 4u; ++t) {
                uint hb = byte_of(high_bits, t);
                lo[t] = scale_lo * int(((packed >> (8u * t)) & 0xFu) + (((hb >> (2u * c)) & 1u) << 4));
                hi[t] = scale_hi * int(((packed >> (8u * t + 4u)) & 0xFu) + (((hb >> (2u * c + 1u)) & 1u) << 4));
            }
            for (uint r = 0u; r < n_rows; ++r) {
                uint64_t y = xb + r * x_stride + Q8_K_qs + 64u * c + 4u * k;
                uint ylo = ld_u32(y);
                uint yhi = ld_u32(y + 32u);
                for (uint t = 0u; t < 4u; ++t)
                    lanes[r][(4u * k + t) % 8u] += lo[t] * sbyte_of(ylo, t) + hi[t] * sbyte_of(yhi, t);
            }
        }
#endif
    }
    precise float dmin = ld_f16(wb + Q4_K_dmin);
    for (uint r = 0u; r < n_rows; ++r) {
        uint64_t x = xb + r * x_stride;
        int min_sum = 0;
        for (uint j = 0u; j < QK_K / 16u; ++j)
            min_sum += bitfieldExtract(int(ld_u16(x + Q8_K_bsums + 2u * j)), 0, 16) * int(sm[j / 2u].y);
        float y_d = ld_f32(x + Q8_K_d);
        lane_parts(ld_f16(wb + Q4_K_d), y_d, lanes[r], r);
        precise float m = dmin * y_d;
        m = m * float(min_sum);
        parts[r * 9u + 8u] = m;
    }
}

void block_q4_k(uint64_t wb, uint64_t xb, uint64_t x_stride, uint n_rows) {
    block_q45_k(wb, xb, x_stride, n_rows, Q4_K_qs, 0u);
}

void block_q5_k(uint64_t wb, uint64_t xb, uint64_t x_stride, uint n_rows) {
    block_q45_k(wb, xb, x_stride, n_rows, Q5_K_qs, Q5_K_qh);
}

// Q6_K blocks are 210 bytes, so only 2-byte aligned (ld_u32_even); Q8_K's quants are 4-byte
// aligned. No min term (part 8 unused). Element e = 128h + 32quarter + l takes its low 4 bits from
// ql[64h + l] (quarters 0, 2: low, high nibble) or ql[64h + 32 + l] (quarters 1, 3), its top 2
// bits from qh[32h + l] bits 2quarter..2quarter+1, and scale e / 16.
void block_q6_k(uint64_t wb, uint64_t xb, uint64_t x_stride, uint n_rows) {
    int scales[16];
    for (uint k = 0u; k < 4u; ++k) {
        uint word = ld_u32_even(wb + Q6_K_scales + 4u * k);
        for (uint t = 0u; t < 4u; ++t) scales[4u * k + t] = sbyte_of(word, t);
    }
    int lanes[ROWS][8];
    for (uint r = 0u; r < ROWS; ++r)
        for (uint l = 0u; l < 8u; ++l) lanes[r][l] = 0;
    for (uint h = 0u; h < 2u; ++h) {
        for (uint l = 0u; l < 32u; l += 4u) {
            uint ql_lo = ld_u32_even(wb + Q6_K_ql + 64u * h + l);
            uint ql_hi = ld_u32_even(wb + Q6_K_ql + 64u * h + 32u + l);
            uint qh = ld_u32_even(wb + Q6_K_qh + 32u * h + l);
            for (uint quarter = 0u; quarter < 4u; ++quarter) {
                uint low_word = quarter % 2u == 0u ? ql_lo : ql_hi;
                uint nibble_shift = quarter < 2u ? 0u : 4u;
                int scale = scales[8u * h + 2u * quarter + l / 16u];
                int q[4];
                for (uint t = 0u; t < 4u; ++t) {
                    uint low = (low_word >> (8u * t + nibble_shift)) & 0xFu;
                    uint high = (qh >> (8u * t + 2u * quarter)) & 3u;
                    q[t] = scale * (int(low | (high << 4)) - 32);
                }
                for (uint r = 0u; r < n_rows; ++r) {
                    uint y = ld_u32(xb + r * x_stride + Q8_K_qs + 128u * h + 32u * quarter + l);
                    for (uint t = 0u; t < 4u; ++t) lanes[r][(l + t) % 8u] += q[t] * sbyte_of(y, t);
                }
            }
        }
    }
    for (uint r = 0u; r < n_rows; ++r) {
        lane_parts(ld_f16(wb + Q6_K_d), ld_f32(xb + r * x_stride + Q8_K_d), lanes[r], r);
        parts[r * 9u + 8u] = 0.0;
    }
}
