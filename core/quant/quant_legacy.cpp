// Legacy 32-element block types Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1: ggml's reference quantizers,
// dequantizers and scalar dot products, with the same float expressions in the same order.
#include <algorithm>
#include <cfloat>
#include <cmath>

#include "core/quant/half.h"
#include "core/quant/quant_ref.h"

namespace hearth::ref {
namespace {

constexpr int kHalf = kQK / 2;

// ggml writes MIN(top, (int8_t)(v)) for v = scaled value + rounding offset, which lies in [0, top + 1]
// for finite input. Clamping before truncating gives the same level there, and keeps NaN (from
// non-finite weights) defined: it lands on level 0.
uint8_t truncate_to_level(float v, int top) {
    return static_cast<uint8_t>(std::min(static_cast<float>(top), std::max(0.0f, v)));
}

// ggml's roundf(v) stored to int8_t: halves round away from zero.
int8_t round_to_int8(float v) { return static_cast<int8_t>(std::round(std::min(127.0f, std::max(-128.0f, v)))); }

uint32_t load_qh(const uint8_t* qh) {
    return static_cast<uint32_t>(qh[0]) | static_cast<uint32_t>(qh[1]) << 8 | static_cast<uint32_t>(qh[2]) << 16 |
           static_cast<uint32_t>(qh[3]) << 24;
}

void store_qh(uint32_t bits, uint8_t* qh) {
    for (int k = 0; k < 4; ++k) qh[k] = static_cast<uint8_t>(bits >> (8 * k));
}

// The element of largest magnitude, sign kept (the first one on ties), as Q4_0 / Q5_0 scale by it.
float signed_absmax(const float* x) {
    float amax = 0.0f;
    float max = 0.0f;
    for (int j = 0; j < kQK; ++j) {
        if (amax < std::fabs(x[j])) {
            amax = std::fabs(x[j]);
            max = x[j];
        }
    }
    return max;
}

struct Range {
    float min;
    float max;
};

Range value_range(const float* x) {
    Range r{FLT_MAX, -FLT_MAX};
    for (int j = 0; j < kQK; ++j) {
        if (x[j] < r.min) r.min = x[j];
        if (x[j] > r.max) r.max = x[j];
    }
    return r;
}

float inverse_or_zero(float d) { return d != 0.0f ? 1.0f / d : 0.0f; }

// Bit 4 of the 5-bit quants of elements j and j + 16, from the 32-bit high mask.
struct HighBits {
    uint8_t low;
    uint8_t high;
};
HighBits high_bits(uint32_t qh, int j) {
    return {static_cast<uint8_t>(((qh >> j) << 4) & 0x10), static_cast<uint8_t>((qh >> (j + 12)) & 0x10)};
}

// Integer dot of one Q5 block (5-bit values minus `offset`) with one Q8 block: exact in any order.
int q5_block_sum(const uint8_t* qs, const uint8_t* qh_bytes, const int8_t* y, int offset) {
    const uint32_t qh = load_qh(qh_bytes);
    int sum0 = 0;
    int sum1 = 0;
    for (int j = 0; j < kHalf; ++j) {
        const HighBits h = high_bits(qh, j);
        sum0 += (((qs[j] & 0x0F) | h.low) - offset) * y[j];
        sum1 += (((qs[j] >> 4) | h.high) - offset) * y[j + kHalf];
    }
    return sum0 + sum1;
}

struct Q8Result {
    float d;  // the float scale, before its rounding to fp16
    int sum;  // sum of the quants
};

// Quantizes one Q8 block: qs and the fp16 scale d_out; Q8_1 also needs the returned float scale and sum.
Q8Result quantize_q8_block(const float* x, uint16_t& d_out, int8_t* qs) {
    float amax = 0.0f;
    for (int j = 0; j < kQK; ++j) amax = std::max(amax, std::fabs(x[j]));
    const float d = amax / 127;
    const float id = inverse_or_zero(d);
    d_out = f32_to_fp16(d);
    int sum = 0;
    for (int j = 0; j < kQK; ++j) {
        qs[j] = round_to_int8(x[j] * id);
        sum += qs[j];
    }
    return {d, sum};
}

}  // namespace

void quantize(const float* x, BlockQ4_0* y, int64_t nblocks) {
    for (int64_t i = 0; i < nblocks; ++i, x += kQK) {
        const float d = signed_absmax(x) / -8;
        const float id = inverse_or_zero(d);
        y[i].d = f32_to_fp16(d);
        for (int j = 0; j < kHalf; ++j) {
            const uint8_t q0 = truncate_to_level(x[j] * id + 8.5f, 15);
            const uint8_t q1 = truncate_to_level(x[j + kHalf] * id + 8.5f, 15);
            y[i].qs[j] = static_cast<uint8_t>(q0 | q1 << 4);
        }
    }
}

void quantize(const float* x, BlockQ4_1* y, int64_t nblocks) {
    for (int64_t i = 0; i < nblocks; ++i, x += kQK) {
        const Range r = value_range(x);
        const float d = (r.max - r.min) / 15;
        const float id = inverse_or_zero(d);
        y[i].d = f32_to_fp16(d);
        y[i].m = f32_to_fp16(r.min);
        for (int j = 0; j < kHalf; ++j) {
            const uint8_t q0 = truncate_to_level((x[j] - r.min) * id + 0.5f, 15);
            const uint8_t q1 = truncate_to_level((x[j + kHalf] - r.min) * id + 0.5f, 15);
            y[i].qs[j] = static_cast<uint8_t>(q0 | q1 << 4);
        }
    }
}

void quantize(const float* x, BlockQ5_0* y, int64_t nblocks) {
    for (int64_t i = 0; i < nblocks; ++i, x += kQK) {
        const float d = signed_absmax(x) / -16;
        const float id = inverse_or_zero(d);
        y[i].d = f32_to_fp16(d);
        uint32_t qh = 0;
        for (int j = 0; j < kHalf; ++j) {
            const uint8_t q0 = truncate_to_level(x[j] * id + 16.5f, 31);
            const uint8_t q1 = truncate_to_level(x[j + kHalf] * id + 16.5f, 31);
            y[i].qs[j] = static_cast<uint8_t>((q0 & 0x0F) | (q1 & 0x0F) << 4);
            qh |= static_cast<uint32_t>(q0 >> 4) << j | static_cast<uint32_t>(q1 >> 4) << (j + kHalf);
        }
        store_qh(qh, y[i].qh);
    }
}

void quantize(const float* x, BlockQ5_1* y, int64_t nblocks) {
    for (int64_t i = 0; i < nblocks; ++i, x += kQK) {
        const Range r = value_range(x);
        const float d = (r.max - r.min) / 31;
        const float id = inverse_or_zero(d);
        y[i].d = f32_to_fp16(d);
        y[i].m = f32_to_fp16(r.min);
        uint32_t qh = 0;
        for (int j = 0; j < kHalf; ++j) {
            const uint8_t q0 = truncate_to_level((x[j] - r.min) * id + 0.5f, 31);
            const uint8_t q1 = truncate_to_level((x[j + kHalf] - r.min) * id + 0.5f, 31);
            y[i].qs[j] = static_cast<uint8_t>((q0 & 0x0F) | (q1 & 0x0F) << 4);
            qh |= static_cast<uint32_t>(q0 >> 4) << j | static_cast<uint32_t>(q1 >> 4) << (j + kHalf);
        }
        store_qh(qh, y[i].qh);
    }
}

void quantize(const float* x, BlockQ8_0* y, int64_t nblocks) {
    for (int64_t i = 0; i < nblocks; ++i, x += kQK) quantize_q8_block(x, y[i].d, y[i].qs);
}

// s = fp16(sum(q) * d) with the float d (not its fp16 rounding), as quantize_row_q8_1_ref does.
void quantize(const float* x, BlockQ8_1* y, int64_t nblocks) {
    for (int64_t i = 0; i < nblocks; ++i, x += kQK) {
        const Q8Result r = quantize_q8_block(x, y[i].d, y[i].qs);
        y[i].s = f32_to_fp16(static_cast<float>(r.sum) * r.d);
    }
}

void dequantize(const BlockQ4_0* x, float* y, int64_t nblocks) {
    for (int64_t i = 0; i < nblocks; ++i, y += kQK) {
        const float d = fp16_to_f32(x[i].d);
        for (int j = 0; j < kHalf; ++j) {
            y[j] = static_cast<float>((x[i].qs[j] & 0x0F) - 8) * d;
            y[j + kHalf] = static_cast<float>((x[i].qs[j] >> 4) - 8) * d;
        }
    }
}

void dequantize(const BlockQ4_1* x, float* y, int64_t nblocks) {
    for (int64_t i = 0; i < nblocks; ++i, y += kQK) {
        const float d = fp16_to_f32(x[i].d);
        const float m = fp16_to_f32(x[i].m);
        for (int j = 0; j < kHalf; ++j) {
            y[j] = static_cast<float>(x[i].qs[j] & 0x0F) * d + m;
            y[j + kHalf] = static_cast<float>(x[i].qs[j] >> 4) * d + m;
        }
    }
}

void dequantize(const BlockQ5_0* x, float* y, int64_t nblocks) {
    for (int64_t i = 0; i < nblocks; ++i, y += kQK) {
        const float d = fp16_to_f32(x[i].d);
        const uint32_t qh = load_qh(x[i].qh);
        for (int j = 0; j < kHalf; ++j) {
            const HighBits h = high_bits(qh, j);
            y[j] = static_cast<float>(((x[i].qs[j] & 0x0F) | h.low) - 16) * d;
            y[j + kHalf] = static_cast<float>(((x[i].qs[j] >> 4) | h.high) - 16) * d;
        }
    }
}

void dequantize(const BlockQ5_1* x, float* y, int64_t nblocks) {
    for (int64_t i = 0; i < nblocks; ++i, y += kQK) {
        const float d = fp16_to_f32(x[i].d);
        const float m = fp16_to_f32(x[i].m);
        const uint32_t qh = load_qh(x[i].qh);
        for (int j = 0; j < kHalf; ++j) {
            const HighBits h = high_bits(qh, j);
            y[j] = static_cast<float>((x[i].qs[j] & 0x0F) | h.low) * d + m;
            y[j + kHalf] = static_cast<float>((x[i].qs[j] >> 4) | h.high) * d + m;
        }
    }
}

void dequantize(const BlockQ8_0* x, float* y, int64_t nblocks) {
    for (int64_t i = 0; i < nblocks; ++i, y += kQK) {
        const float d = fp16_to_f32(x[i].d);
        for (int j = 0; j < kQK; ++j) y[j] = static_cast<float>(x[i].qs[j]) * d;
    }
}

void dequantize(const BlockQ8_1* x, float* y, int64_t nblocks) {
    for (int64_t i = 0; i < nblocks; ++i, y += kQK) {
        const float d = fp16_to_f32(x[i].d);
        for (int j = 0; j < kQK; ++j) y[j] = static_cast<float>(x[i].qs[j]) * d;
    }
}

float dot(const BlockQ4_0* x, const BlockQ8_0* y, int64_t nblocks) {
    float sum = 0.0f;
    for (int64_t i = 0; i < nblocks; ++i) {
        int sum0 = 0;
        int sum1 = 0;
        for (int j = 0; j < kHalf; ++j) {
            sum0 += ((x[i].qs[j] & 0x0F) - 8) * y[i].qs[j];
            sum1 += ((x[i].qs[j] >> 4) - 8) * y[i].qs[j + kHalf];
        }
        sum += static_cast<float>(sum0 + sum1) * fp16_to_f32(x[i].d) * fp16_to_f32(y[i].d);
    }
    return sum;
}

float dot(const BlockQ4_1* x, const BlockQ8_1* y, int64_t nblocks) {
    float sum = 0.0f;
    for (int64_t i = 0; i < nblocks; ++i) {
        int sum0 = 0;
        int sum1 = 0;
        for (int j = 0; j < kHalf; ++j) {
            sum0 += (x[i].qs[j] & 0x0F) * y[i].qs[j];
            sum1 += (x[i].qs[j] >> 4) * y[i].qs[j + kHalf];
        }
        sum += (fp16_to_f32(x[i].d) * fp16_to_f32(y[i].d)) * static_cast<float>(sum0 + sum1) +
               fp16_to_f32(x[i].m) * fp16_to_f32(y[i].s);
    }
    return sum;
}

float dot(const BlockQ5_0* x, const BlockQ8_0* y, int64_t nblocks) {
    float sum = 0.0f;
    for (int64_t i = 0; i < nblocks; ++i) {
        const int sumi = q5_block_sum(x[i].qs, x[i].qh, y[i].qs, 16);
        sum += (fp16_to_f32(x[i].d) * fp16_to_f32(y[i].d)) * static_cast<float>(sumi);
    }
    return sum;
}

float dot(const BlockQ5_1* x, const BlockQ8_1* y, int64_t nblocks) {
    float sum = 0.0f;
    for (int64_t i = 0; i < nblocks; ++i) {
        const int sumi = q5_block_sum(x[i].qs, x[i].qh, y[i].qs, 0);
        sum += (fp16_to_f32(x[i].d) * fp16_to_f32(y[i].d)) * static_cast<float>(sumi) +
               fp16_to_f32(x[i].m) * fp16_to_f32(y[i].s);
    }
    return sum;
}

float dot(const BlockQ8_0* x, const BlockQ8_0* y, int64_t nblocks) {
    float sum = 0.0f;
    for (int64_t i = 0; i < nblocks; ++i) {
        int sumi = 0;
        for (int j = 0; j < kQK; ++j) sumi += x[i].qs[j] * y[i].qs[j];
        sum += static_cast<float>(sumi) * (fp16_to_f32(x[i].d) * fp16_to_f32(y[i].d));
    }
    return sum;
}

}  // namespace hearth::ref
