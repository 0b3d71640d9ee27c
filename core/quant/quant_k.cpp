// K super-block types Q4_K, Q5_K, Q6_K, Q8_K: ggml's dequantizers and scalar dot products with Q8_K
// activations (ggml_vec_dot_*_q8_K_generic), keeping its 8-lane float accumulators and their order;
// and Hearth's blockwise dots, which sum each super-block as one integer (quant_ref.h).
#include <type_traits>

#include "core/quant/half.h"
#include "core/quant/quant_ref.h"

namespace hearth::ref {
namespace {

constexpr int kLanes = 8;  // ggml's scalar K dots accumulate 8 int32 lanes, then 8 float lanes

// Sum of int8 products of one run of 8 quants, added to the lanes times a sub-block scale. The
// products fit int16 for every K type, as ggml's aux16 assumes.
void accumulate_lanes(int32_t* lanes, int scale, const int8_t* q8, const int8_t* w) {
    for (int l = 0; l < kLanes; ++l) lanes[l] += scale * static_cast<int16_t>(q8[l] * w[l]);
}

// Quants of one Q4_K / Q5_K block in element order (0..15 or 0..31).
void unpack_q4k_quants(const uint8_t* qs, int8_t* out) {
    for (int c = 0; c < kQK_K / 64; ++c, qs += 32, out += 64) {
        for (int l = 0; l < 32; ++l) {
            out[l] = static_cast<int8_t>(qs[l] & 0xF);
            out[l + 32] = static_cast<int8_t>(qs[l] >> 4);
        }
    }
}

void add_q5k_high_bits(const uint8_t* qh, int8_t* out) {
    for (int c = 0; c < kQK_K / 64; ++c, out += 64) {
        const auto low_mask = static_cast<uint8_t>(1u << (2 * c));
        const auto high_mask = static_cast<uint8_t>(2u << (2 * c));
        for (int l = 0; l < 32; ++l) {
            out[l] = static_cast<int8_t>(out[l] + ((qh[l] & low_mask) ? 16 : 0));
            out[l + 32] = static_cast<int8_t>(out[l + 32] + ((qh[l] & high_mask) ? 16 : 0));
        }
    }
}

// Signed quants (q - 32) of one Q6_K block in element order.
void unpack_q6k_quants(const BlockQ6_K& b, int8_t* out) {
    const uint8_t* ql = b.ql;
    const uint8_t* qh = b.qh;
    for (int h = 0; h < kQK_K / 128; ++h, ql += 64, qh += 32, out += 128) {
        for (int l = 0; l < 32; ++l) {
            out[l] = static_cast<int8_t>(((ql[l] & 0xF) | ((qh[l] & 3) << 4)) - 32);
            out[l + 32] = static_cast<int8_t>(((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32);
            out[l + 64] = static_cast<int8_t>(((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32);
            out[l + 96] = static_cast<int8_t>(((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32);
        }
    }
}

// Shared body of the Q4_K and Q5_K dots once the quants are unpacked: 8 sub-blocks of 32 with 6-bit
// scales; the mins meet the activations through bsums. Adds to the float lanes, returns the min term.
float dot_q45k_block(uint16_t d, uint16_t dmin, const uint8_t* packed_scales, const int8_t* quants,
                     const BlockQ8_K& y, float* float_lanes) {
    ScaleMin sm[kQK_K / 32];
    for (int j = 0; j < kQK_K / 32; ++j) sm[j] = unpack_scale_min_k4(j, packed_scales);
    int min_sum = 0;
    for (int j = 0; j < kQK_K / 16; ++j) min_sum += y.bsums[j] * sm[j / 2].min;

    int32_t lanes[kLanes] = {};
    for (int j = 0; j < kQK_K / 32; ++j)
        for (int part = 0; part < 4; ++part)
            accumulate_lanes(lanes, sm[j].scale, y.qs + 32 * j + 8 * part, quants + 32 * j + 8 * part);

    const float scale = fp16_to_f32(d) * y.d;
    for (int l = 0; l < kLanes; ++l) float_lanes[l] += scale * static_cast<float>(lanes[l]);
    return fp16_to_f32(dmin) * y.d * static_cast<float>(min_sum);
}

float sum_lanes(float total, const float* float_lanes) {
    for (int l = 0; l < kLanes; ++l) total += float_lanes[l];
    return total;
}

// Sum over sub-blocks of `len` quants of scale times the sub-block's integer dot: exact in int32.
template <class Scale>
int32_t scaled_sum(const int8_t* quants, const int8_t* q8, int len, const Scale& scale_of) {
    int32_t sum = 0;
    for (int j = 0; j < kQK_K / len; ++j) {
        int32_t dot = 0;
        for (int e = len * j; e < len * (j + 1); ++e) dot += quants[e] * q8[e];
        sum += scale_of(j) * dot;
    }
    return sum;
}

// One Q4_K / Q5_K super-block of a blockwise dot, added to total.
float blockwise_q45k_block(uint16_t d, uint16_t dmin, const uint8_t* packed_scales, const int8_t* quants,
                           const BlockQ8_K& y, float total) {
    const int32_t sum = scaled_sum(quants, y.qs, 32, [&](int j) { return unpack_scale_min_k4(j, packed_scales).scale; });
    int32_t min_sum = 0;
    for (int j = 0; j < kQK_K / 32; ++j) min_sum += unpack_scale_min_k4(j, packed_scales).min * (y.bsums[2 * j] + y.bsums[2 * j + 1]);
    total = total + fp16_to_f32(d) * y.d * static_cast<float>(sum);
    return total - fp16_to_f32(dmin) * y.d * static_cast<float>(min_sum);
}

template <class Block>
float dot_blockwise_q45k(const Block* x, const BlockQ8_K* y, int64_t nblocks) {
    int8_t quants[kQK_K];
    float total = 0.0f;
    for (int64_t i = 0; i < nblocks; ++i) {
        unpack_q4k_quants(x[i].qs, quants);
        if constexpr (std::is_same_v<Block, BlockQ5_K>) add_q5k_high_bits(x[i].qh, quants);
        total = blockwise_q45k_block(x[i].d, x[i].dmin, x[i].scales, quants, y[i], total);
    }
    return total;
}

}  // namespace

void dequantize(const BlockQ4_K* x, float* y, int64_t nblocks) {
    for (int64_t i = 0; i < nblocks; ++i) {
        const float d = fp16_to_f32(x[i].d);
        const float min = fp16_to_f32(x[i].dmin);
        const uint8_t* q = x[i].qs;
        for (int c = 0; c < kQK_K / 64; ++c, q += 32) {
            const ScaleMin lo = unpack_scale_min_k4(2 * c, x[i].scales);
            const ScaleMin hi = unpack_scale_min_k4(2 * c + 1, x[i].scales);
            const float d1 = d * lo.scale;
            const float m1 = min * lo.min;
            const float d2 = d * hi.scale;
            const float m2 = min * hi.min;
            for (int l = 0; l < 32; ++l) *y++ = d1 * static_cast<float>(q[l] & 0xF) - m1;
            for (int l = 0; l < 32; ++l) *y++ = d2 * static_cast<float>(q[l] >> 4) - m2;
        }
    }
}

void dequantize(const BlockQ5_K* x, float* y, int64_t nblocks) {
    for (int64_t i = 0; i < nblocks; ++i) {
        const float d = fp16_to_f32(x[i].d);
        const float min = fp16_to_f32(x[i].dmin);
        const uint8_t* ql = x[i].qs;
        const uint8_t* qh = x[i].qh;
        for (int c = 0; c < kQK_K / 64; ++c, ql += 32) {
            const ScaleMin lo = unpack_scale_min_k4(2 * c, x[i].scales);
            const ScaleMin hi = unpack_scale_min_k4(2 * c + 1, x[i].scales);
            const float d1 = d * lo.scale;
            const float m1 = min * lo.min;
            const float d2 = d * hi.scale;
            const float m2 = min * hi.min;
            const auto u1 = static_cast<uint8_t>(1u << (2 * c));
            const auto u2 = static_cast<uint8_t>(2u << (2 * c));
            for (int l = 0; l < 32; ++l) *y++ = d1 * static_cast<float>((ql[l] & 0xF) + ((qh[l] & u1) ? 16 : 0)) - m1;
            for (int l = 0; l < 32; ++l) *y++ = d2 * static_cast<float>((ql[l] >> 4) + ((qh[l] & u2) ? 16 : 0)) - m2;
        }
    }
}

void dequantize(const BlockQ6_K* x, float* y, int64_t nblocks) {
    int8_t q[kQK_K];
    for (int64_t i = 0; i < nblocks; ++i, y += kQK_K) {
        const float d = fp16_to_f32(x[i].d);
        unpack_q6k_quants(x[i], q);
        // ggml evaluates d * sc * q left to right: (d * sc) * q.
        for (int j = 0; j < kQK_K; ++j) y[j] = d * static_cast<float>(x[i].scales[j / 16]) * static_cast<float>(q[j]);
    }
}

void dequantize(const BlockQ8_K* x, float* y, int64_t nblocks) {
    for (int64_t i = 0; i < nblocks; ++i, y += kQK_K)
        for (int j = 0; j < kQK_K; ++j) y[j] = x[i].d * static_cast<float>(x[i].qs[j]);
}

float dot(const BlockQ4_K* x, const BlockQ8_K* y, int64_t nblocks) {
    int8_t quants[kQK_K];
    float float_lanes[kLanes] = {};
    float total = 0.0f;
    for (int64_t i = 0; i < nblocks; ++i) {
        unpack_q4k_quants(x[i].qs, quants);
        total -= dot_q45k_block(x[i].d, x[i].dmin, x[i].scales, quants, y[i], float_lanes);
    }
    return sum_lanes(total, float_lanes);
}

float dot(const BlockQ5_K* x, const BlockQ8_K* y, int64_t nblocks) {
    int8_t quants[kQK_K];
    float float_lanes[kLanes] = {};
    float total = 0.0f;
    for (int64_t i = 0; i < nblocks; ++i) {
        unpack_q4k_quants(x[i].qs, quants);
        add_q5k_high_bits(x[i].qh, quants);
        total -= dot_q45k_block(x[i].d, x[i].dmin, x[i].scales, quants, y[i], float_lanes);
    }
    return sum_lanes(total, float_lanes);
}

float dot(const BlockQ6_K* x, const BlockQ8_K* y, int64_t nblocks) {
    int8_t quants[kQK_K];
    float float_lanes[kLanes] = {};
    for (int64_t i = 0; i < nblocks; ++i) {
        unpack_q6k_quants(x[i], quants);
        int32_t lanes[kLanes] = {};
        for (int j = 0; j < kQK_K / 16; ++j) {
            accumulate_lanes(lanes, x[i].scales[j], y[i].qs + 16 * j, quants + 16 * j);
            accumulate_lanes(lanes, x[i].scales[j], y[i].qs + 16 * j + 8, quants + 16 * j + 8);
        }
        const float scale = fp16_to_f32(x[i].d) * y[i].d;
        for (int l = 0; l < kLanes; ++l) float_lanes[l] += scale * static_cast<float>(lanes[l]);
    }
    return sum_lanes(0.0f, float_lanes);
}

float dot_blockwise(const BlockQ4_K* x, const BlockQ8_K* y, int64_t nblocks) { return dot_blockwise_q45k(x, y, nblocks); }
float dot_blockwise(const BlockQ5_K* x, const BlockQ8_K* y, int64_t nblocks) { return dot_blockwise_q45k(x, y, nblocks); }

float dot_blockwise(const BlockQ6_K* x, const BlockQ8_K* y, int64_t nblocks) {
    int8_t quants[kQK_K];
    float total = 0.0f;
    for (int64_t i = 0; i < nblocks; ++i) {
        unpack_q6k_quants(x[i], quants);
        const int32_t sum = scaled_sum(quants, y[i].qs, 16, [&](int j) { return x[i].scales[j]; });
        total = total + fp16_to_f32(x[i].d) * y[i].d * static_cast<float>(sum);
    }
    return total;
}

}  // namespace hearth::ref
