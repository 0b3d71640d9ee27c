// expf() with the results of glibc's (the CPU reference calls std::exp on floats): glibc computes
// 2^(k/32) * 2^(r/32) in double from a 32-entry table and a cubic, then rounds once to float. The
// same double operations here give the same float; with or without fused multiply-adds the final
// rounding comes out equal (checked against glibc for every float in the finite range). The table
// and constants are generated (expf_table.glsl).
#include "expf_table.glsl"

float expf_ref(float x) {
    uint bits = floatBitsToUint(x);
    uint abstop = (bits >> 20) & 0x7FFu;
    if (abstop >= 0x42Bu) {  // |x| >= 88, or not finite
        if (bits == 0xFF800000u) return 0.0;
        if (abstop >= 0x7F8u) return x + x;
        if (x > uintBitsToFloat(EXPF_OVERFLOW_BITS)) return uintBitsToFloat(0x7F800000u);
        if (x < uintBitsToFloat(EXPF_UNDERFLOW_BITS)) return 0.0;
    }
    precise double z = EXPF_INV_LN2_N * double(x);
    precise double kd = z + EXPF_SHIFT;
    uint64_t ki = doubleBitsToUint64(kd);
    kd = kd - EXPF_SHIFT;
    precise double r = z - kd;
    uint64_t t = EXPF_TABLE[uint(ki % 32ul)] + (ki << 47);
    double s = uint64BitsToDouble(t);
    precise double c = EXPF_C0 * r + EXPF_C1;
    precise double r2 = r * r;
    precise double y = EXPF_C2 * r + 1.0lf;
    y = c * r2 + y;
    y = y * s;
    return float(y);
}

// x / (1 + e^-x), as the CPU reference's silu.
float silu_ref(float x) {
    precise float denominator = 1.0 + expf_ref(-x);
    return div_rn(x, denominator);
}
