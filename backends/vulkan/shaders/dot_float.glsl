// F32 / F16 / BF16 weight rows with activations of the same type: each product rounded to float,
// summed in double in element order, as core/quant/quant_float.cpp.

float dot_f32(uint64_t w, uint64_t x, uint n) {
    precise double sum = 0.0lf;
    for (uint i = 0u; i < n; ++i) {
        precise float product = ld_f32(w + 4u * i) * ld_f32(x + 4u * i);
        sum = sum + double(product);
    }
    return float(sum);
}

// Halves and bfloat16s have at most 11 significant bits, so their float product is exact.
float dot_f16(uint64_t w, uint64_t x, uint n) {
    precise double sum = 0.0lf;
    for (uint i = 0u; i < n; ++i) {
        precise float product = ld_f16(w + 2u * i) * ld_f16(x + 2u * i);
        sum = sum + double(product);
    }
    return float(sum);
}

float dot_bf16(uint64_t w, uint64_t x, uint n) {
    precise double sum = 0.0lf;
    for (uint i = 0u; i < n; ++i) {
        precise float product = bf16_to_f32(ld_u16(w + 2u * i)) * bf16_to_f32(ld_u16(x + 2u * i));
        sum = sum + double(product);
    }
    return float(sum);
}
