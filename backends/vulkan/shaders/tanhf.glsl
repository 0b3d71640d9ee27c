// tanhf() with glibc's results (the CPU reference's softcap and GELU call std::tanh on floats).
// glibc's float tanh and expm1 are the fdlibm algorithms in float arithmetic (expm1 with the
// five-term rational correction); the same float operations, each rounded alone (`precise`,
// correctly rounded division), give the same bits: checked against glibc 2.36 on every float of
// magnitude below 24. Needs common.glsl.

float expm1f_ref(float x) {
    const float ln2_hi = uintBitsToFloat(0x3F317180u);
    const float ln2_lo = uintBitsToFloat(0x3717F7D1u);
    const float inv_ln2 = uintBitsToFloat(0x3FB8AA3Bu);
    uint hx = floatBitsToUint(x);
    bool negative = (hx & 0x80000000u) != 0u;
    hx &= 0x7FFFFFFFu;
    if (hx >= 0x4195B844u) {  // |x| >= 27 ln2
        if (hx >= 0x42B17218u) {
            if (hx > 0x7F800000u) return x + x;
            if (hx == 0x7F800000u) return negative ? -1.0 : x;
            if (x > uintBitsToFloat(0x42B17180u)) return uintBitsToFloat(0x7F800000u);
        }
        if (negative) return -1.0;
    }
    precise float hi;
    precise float lo;
    precise float c = 0.0;
    int k = 0;
    if (hx > 0x3EB17218u) {  // |x| > ln2 / 2: reduce by k ln2
        if (hx < 0x3F851592u) {
            hi = negative ? x + ln2_hi : x - ln2_hi;
            lo = negative ? -ln2_lo : ln2_lo;
            k = negative ? -1 : 1;
        } else {
            precise float kf = inv_ln2 * x + (negative ? -0.5 : 0.5);
            k = int(kf);
            float t = float(k);
            hi = x - t * ln2_hi;
            lo = t * ln2_lo;
        }
        precise float reduced = hi - lo;
        x = reduced;
        c = (hi - x) - lo;
    } else if (hx < 0x33000000u) {
        return x;
    }
    precise float hfx = 0.5 * x;
    precise float hxs = x * hfx;
    precise float r1 = 1.0 + hxs * (uintBitsToFloat(0xBD088889u) + hxs * (uintBitsToFloat(0x3AD00D01u) +
                                    hxs * (uintBitsToFloat(0xB8A670CDu) + hxs * (uintBitsToFloat(0x36867E54u) +
                                    hxs * uintBitsToFloat(0xB457EDBBu)))));
    precise float t = 3.0 - r1 * hfx;
    precise float e = hxs * div_rn(r1 - t, 6.0 - x * t);
    if (k == 0) {
        precise float y0 = x - (x * e - hxs);
        return y0;
    }
    float two_pk = uintBitsToFloat(uint(0x7F + k) << 23);
    e = x * (e - c) - c;
    e = e - hxs;
    precise float y;
    if (k == -1) {
        y = 0.5 * (x - e) - 0.5;
        return y;
    }
    if (k == 1) {
        if (x < -0.25) {
            y = -2.0 * (e - (x + 0.5));
        } else {
            y = 1.0 + 2.0 * (x - e);
        }
        return y;
    }
    if (k <= -2 || k > 56) {
        y = 1.0 - (e - x);
        y = k == 128 ? y * 2.0 * uintBitsToFloat(0x7F000000u) : y * two_pk;
        y = y - 1.0;
        return y;
    }
    if (k < 23) {
        float one_minus = uintBitsToFloat(0x3F800000u - (0x1000000u >> uint(k)));  // 1 - 2^-k
        y = one_minus - (e - x);
        y = y * two_pk;
    } else {
        float tiny = uintBitsToFloat(uint(0x7F - k) << 23);  // 2^-k
        y = x - (e + tiny);
        y = y + 1.0;
        y = y * two_pk;
    }
    return y;
}

float tanhf_ref(float x) {
    uint jx = floatBitsToUint(x);
    uint ix = jx & 0x7FFFFFFFu;
    bool negative = (jx & 0x80000000u) != 0u;
    if (ix >= 0x7F800000u) {  // tanh(+-inf) = +-1, tanh(NaN) = NaN
        precise float special = negative ? div_rn(1.0, x) - 1.0 : div_rn(1.0, x) + 1.0;
        return special;
    }
    precise float z;
    if (ix < 0x41B00000u) {  // |x| < 22
        if (ix == 0u) return x;
        if (ix < 0x24000000u) {
            z = x * (1.0 + x);
            return z;
        }
        if (ix >= 0x3F800000u) {
            precise float t = expm1f_ref(2.0 * abs(x));
            z = 1.0 - div_rn(2.0, t + 2.0);
        } else {
            precise float t = expm1f_ref(-2.0 * abs(x));
            z = div_rn(-t, t + 2.0);
        }
    } else {
        z = 1.0;  // 1 - 1e-30 rounds to 1
    }
    return negative ? -z : z;
}
