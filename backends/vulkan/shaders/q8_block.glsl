// One Q8_0 / Q8_1 block of 32 floats (core/quant/quant_legacy.cpp quantize_q8_block): d = amax/127,
// q = roundf(x * (1/d)); Q8_1 also stores s = fp16(sum(q) * d). Needs common.glsl.
void quantize_q8_block(uint64_t src, uint64_t block, uint qs_offset, bool with_sum) {
    float amax = 0.0;
    for (uint j = 0u; j < QK; ++j) amax = max(amax, abs(ld_f32(src + 4u * j)));
    precise float d = div_rn(amax, 127.0);
    precise float id = d != 0.0 ? div_rn(1.0, d) : 0.0;
    st_u16(block + Q8_0_d, f32_to_f16(d));  // Q8_1's d sits at the same offset
    int sum = 0;
    for (uint j = 0u; j < QK; ++j) {
        precise float v = ld_f32(src + 4u * j) * id;
        int q = int(round_half_away(min(127.0, max(-128.0, v))));
        st_u8(block + qs_offset + j, uint(q) & 0xFFu);
        sum += q;
    }
    if (with_sum) {
        precise float s = float(sum) * d;
        st_u16(block + Q8_1_s, f32_to_f16(s));
    }
}
