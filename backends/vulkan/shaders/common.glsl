// Shared by every shader: extensions, memory access through 64-bit device addresses, exact
// fp16/bf16 conversions and correctly rounded float division and square root.
//
// Exactness: results must equal the CPU reference bit for bit, so every float expression that the
// reference rounds step by step is written with `precise` (SPIR-V NoContraction: no fused
// multiply-add, no reassociation), and conversions are done in integer arithmetic rather than
// trusting the device's f16 rounding mode.
#extension GL_EXT_buffer_reference : require
#extension GL_EXT_shader_explicit_arithmetic_types_int8 : require
#extension GL_EXT_shader_explicit_arithmetic_types_int16 : require
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#extension GL_EXT_shader_8bit_storage : require
#extension GL_EXT_shader_16bit_storage : require
#if defined(INTEGER_DOT)
#extension GL_EXT_spirv_intrinsics : require  // int_dot.glsl's OpSDot
#endif

#include "quant_blocks.glsl"

layout(buffer_reference, std430, buffer_reference_align = 1) buffer Bytes { uint8_t v[]; };
layout(buffer_reference, std430, buffer_reference_align = 2) buffer Shorts { uint16_t v[]; };
layout(buffer_reference, std430, buffer_reference_align = 4) buffer Words { uint v[]; };
layout(buffer_reference, std430, buffer_reference_align = 4) buffer Floats { float v[]; };
layout(buffer_reference, std430, buffer_reference_align = 4) buffer Ints { int v[]; };

// Activation tensors are indexed by 32-bit element indices (they hold far fewer than 2^32 floats);
// weights and KV pages are reached by 64-bit byte addresses.
uint ld_u8(uint64_t a) { return uint(Bytes(a).v[0]); }
int ld_i8(uint64_t a) { return int(int8_t(Bytes(a).v[0])); }
uint ld_u16(uint64_t a) { return uint(Shorts(a).v[0]); }  // a must be even
uint ld_u32(uint64_t a) { return Words(a).v[0]; }         // a must be a multiple of 4
// A 32-bit little-endian word at an even address: one load when it is 4-byte aligned, else two.
uint ld_u32_even(uint64_t a) { return (a & 2ul) == 0ul ? ld_u32(a) : ld_u16(a) | (ld_u16(a + 2ul) << 16); }
float ld_f32(uint64_t a) { return uintBitsToFloat(Words(a).v[0]); }
void st_u8(uint64_t a, uint v) { Bytes(a).v[0] = uint8_t(v); }
void st_u16(uint64_t a, uint v) { Shorts(a).v[0] = uint16_t(v); }
void st_f32(uint64_t a, float v) { Floats(a).v[0] = v; }

// Byte k (0..3) of a little-endian word, as unsigned or as a signed int8.
uint byte_of(uint w, uint k) { return (w >> (8u * k)) & 0xFFu; }
int sbyte_of(uint w, uint k) { return bitfieldExtract(int(w), int(8u * k), 8); }

// Invocation index over a 2-D grid of workgroups (dispatches wider than 65535 groups wrap into y).
uint flat_invocation() {
    return gl_GlobalInvocationID.y * (gl_NumWorkGroups.x * gl_WorkGroupSize.x) + gl_GlobalInvocationID.x;
}
uint flat_workgroup() { return gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x; }

// Exact: every half is a float (subnormal halves become normal floats).
float f16_to_f32(uint h) {
    uint sign = (h & 0x8000u) << 16;
    uint exponent = (h >> 10) & 0x1Fu;
    uint mantissa = h & 0x3FFu;
    if (exponent == 0x1Fu) return uintBitsToFloat(sign | 0x7F800000u | (mantissa << 13));
    if (exponent != 0u) return uintBitsToFloat(sign | ((exponent + 112u) << 23) | (mantissa << 13));
    if (mantissa == 0u) return uintBitsToFloat(sign);
    int lead = findMSB(mantissa);  // 0..9: the value is mantissa * 2^-24
    uint float_exponent = uint(lead) + 103u;
    return uintBitsToFloat(sign | (float_exponent << 23) | ((mantissa << (23 - lead)) & 0x7FFFFFu));
}

// Round to nearest even as core/quant/half.h does (NaN -> 0x7E00 with the sign, overflow -> inf).
uint f32_to_f16(float f) {
    uint bits = floatBitsToUint(f);
    uint sign = (bits >> 16) & 0x8000u;
    uint magnitude = bits & 0x7FFFFFFFu;
    if (magnitude > 0x7F800000u) return sign | 0x7E00u;
    if (magnitude >= 0x47800000u) return sign | 0x7C00u;
    if (magnitude < 0x38800000u) {
        if (magnitude < 0x33000000u) return sign;
        uint mantissa = (magnitude & 0x7FFFFFu) | 0x800000u;
        uint shift = 126u - (magnitude >> 23);
        uint kept = mantissa >> shift;
        uint rest = mantissa & ((1u << shift) - 1u);
        uint half_way = 1u << (shift - 1u);
        bool up = rest > half_way || (rest == half_way && (kept & 1u) != 0u);
        return sign | (kept + (up ? 1u : 0u));
    }
    uint rebased = magnitude - 0x38000000u;
    uint kept = rebased >> 13;
    uint rest = rebased & 0x1FFFu;
    bool up = rest > 0x1000u || (rest == 0x1000u && (kept & 1u) != 0u);
    return sign | (kept + (up ? 1u : 0u));
}

float round_f16(float x) { return f16_to_f32(f32_to_f16(x)); }

float bf16_to_f32(uint b) { return uintBitsToFloat(b << 16); }

uint f32_to_bf16(float f) {
    uint bits = floatBitsToUint(f);
    if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return ((bits >> 16) | 0x40u) & 0xFFFFu;
    return ((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16) & 0xFFFFu;
}

float ld_f16(uint64_t a) { return f16_to_f32(ld_u16(a)); }

// Correctly rounded a / b. Vulkan lets float division be off by 2.5 ulp, so divide in double: a
// quotient of two floats is never exactly halfway between two floats, and it is at least 2^-49
// (relative) away from every halfway point, so a double quotient within a few double ulps rounds
// to the correctly rounded float.
float div_rn(float a, float b) {
    precise double q = double(a) / double(b);
    return float(q);
}

// Correctly rounded square root, by the same argument (a float's square root is never halfway).
float sqrt_rn(float x) {
    precise double r = sqrt(double(x));
    return float(r);
}

// roundf(): halves away from zero; exact for |v| < 2^23.
float round_half_away(float v) {
    precise float t = trunc(v);
    precise float rest = abs(v - t);
    if (rest >= 0.5) t = t + sign(v);
    return t;
}

// ggml's nearest_int: round to nearest even through the 1.5 * 2^23 magic addend.
int nearest_int(float v) {
    precise float shifted = v + 12582912.0;
    return int(floatBitsToUint(shifted) & 0x007FFFFFu) - 0x00400000;
}
