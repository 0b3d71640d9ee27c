// F32 / F16 / BF16 rows: conversions and ggml's scalar dot products.
#include <array>
#include <cmath>

#include "core/quant/half.h"
#include "core/quant/quant_ref.h"

namespace hearth::ref {

void fp16_to_f32_row(const uint16_t* x, float* y, int64_t n) {
    for (int64_t i = 0; i < n; ++i) y[i] = fp16_to_f32(x[i]);
}

void f32_to_fp16_row(const float* x, uint16_t* y, int64_t n) {
    for (int64_t i = 0; i < n; ++i) y[i] = f32_to_fp16(x[i]);
}

void bf16_to_f32_row(const uint16_t* x, float* y, int64_t n) {
    for (int64_t i = 0; i < n; ++i) y[i] = bf16_to_f32(x[i]);
}

void f32_to_bf16_row(const float* x, uint16_t* y, int64_t n) {
    for (int64_t i = 0; i < n; ++i) y[i] = f32_to_bf16(x[i]);
}

// Each product is rounded to float before it joins the double sum, as in ggml.
float dot_f32(const float* x, const float* y, int64_t n) {
    double sum = 0.0;
    for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(x[i] * y[i]);
    return static_cast<float>(sum);
}

float dot_f16(const uint16_t* x, const uint16_t* y, int64_t n) {
    double sum = 0.0;
    for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(fp16_to_f32(x[i]) * fp16_to_f32(y[i]));
    return static_cast<float>(sum);
}

float dot_bf16(const uint16_t* x, const uint16_t* y, int64_t n) {
    double sum = 0.0;
    for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(bf16_to_f32(x[i]) * bf16_to_f32(y[i]));
    return static_cast<float>(sum);
}

namespace {

constexpr int kLanes = 16;
using Lanes = std::array<float, kLanes>;

// SIMD kernels keep the 16 lanes in one AVX-512 register (two AVX2 ones) and add them in this tree.
float lanes_total(Lanes lanes) {
    for (int width = kLanes / 2; width >= 1; width /= 2)
        for (int l = 0; l < width; ++l) lanes[static_cast<size_t>(l)] += lanes[static_cast<size_t>(l + width)];
    return lanes[0];
}

// A subnormal as a zero of its sign (vdpbf16ps's DAZ and FTZ).
float flush(float x) { return std::fpclassify(x) == FP_SUBNORMAL ? std::copysign(0.0f, x) : x; }

}  // namespace

float dot_half_lanes(const uint16_t* x, const float* y, int64_t n, bool bf16) {
    Lanes lanes{};
    for (int64_t i = 0; i < n; ++i) {
        const float w = bf16 ? bf16_to_f32(x[i]) : fp16_to_f32(x[i]);
        lanes[static_cast<size_t>(i % kLanes)] = std::fma(w, y[i], lanes[static_cast<size_t>(i % kLanes)]);
    }
    return lanes_total(lanes);
}

float dot_bf16_pairs(const uint16_t* x, const float* y, int64_t n) {
    constexpr int64_t kRun = 2 * kLanes;
    Lanes lanes{};
    for (int64_t run = 0; run < n; run += kRun) {
        for (int l = 0; l < kLanes; ++l) {
            for (int64_t i : {run + 2 * l + 1, run + 2 * l}) {
                const float w = i < n ? bf16_to_f32(x[i]) : 0.0f;
                const float a = i < n ? y[i] : 0.0f;
                float& lane = lanes[static_cast<size_t>(l)];
                lane = flush(std::fma(flush(w), flush(a), flush(lane)));
            }
        }
    }
    return lanes_total(lanes);
}

}  // namespace hearth::ref
