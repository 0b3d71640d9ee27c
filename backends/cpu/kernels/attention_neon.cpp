// NEON attention pieces for aarch64, bit-identical to the reference loops in ops_attention.cpp.
// They use only base Armv8-A Advanced SIMD (FCVTL and FCVTN for f16, double lanes), so no target attribute.
#include <arm_neon.h>

#include "backends/cpu/kernels/attention_adapters.h"
#include "backends/cpu/kernels/attention_kernels.h"
#include "core/quant/half.h"

namespace hearth::cpu {
namespace {

// Four f16 values widened exactly to float (FCVTL; Linux leaves FPCR.FZ16 clear, so subnormals stay).
float32x4_t load_f16x4(const uint16_t* v) { return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(v))); }

// Each lane repeats the reference for its element: one float product, widened exactly, one double add.
void axpy_f16_neon(double* acc, float p, const uint16_t* v, int64_t n) {
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const float32x4_t products = vmulq_n_f32(load_f16x4(v + i), p);
        vst1q_f64(acc + i, vaddq_f64(vld1q_f64(acc + i), vcvt_f64_f32(vget_low_f32(products))));
        vst1q_f64(acc + i + 2, vaddq_f64(vld1q_f64(acc + i + 2), vcvt_high_f64_f32(products)));
    }
    for (; i < n; ++i) acc[i] += static_cast<double>(p * fp16_to_f32(v[i]));
}

double dot_f16_reference(const float* q, const uint16_t* key, int64_t n) {
    double sum = 0.0;
    for (int64_t d = 0; d < n; ++d) sum += static_cast<double>(q[d] * fp16_to_f32(key[d]));
    return sum;
}

// Two keys at a time, one per double lane: their products for 4 dimensions are interleaved so each
// lane adds its key's products in dimension order.
void dots_f16_neon(const float* q, const uint16_t* keys, int64_t key_stride, int64_t n_keys, int64_t n, double* out) {
    int64_t j = 0;
    if (n % 4 == 0) {
        for (; j + 2 <= n_keys; j += 2) {
            const uint16_t* k0 = keys + j * key_stride;
            const uint16_t* k1 = k0 + key_stride;
            float64x2_t acc = vdupq_n_f64(0.0);
            for (int64_t d = 0; d < n; d += 4) {
                const float32x4_t qv = vld1q_f32(q + d);
                const float32x4_t p0 = vmulq_f32(qv, load_f16x4(k0 + d));
                const float32x4_t p1 = vmulq_f32(qv, load_f16x4(k1 + d));
                const float32x4_t first = vzip1q_f32(p0, p1);   // d of both keys, then d + 1
                const float32x4_t second = vzip2q_f32(p0, p1);  // d + 2, then d + 3
                acc = vaddq_f64(acc, vcvt_f64_f32(vget_low_f32(first)));
                acc = vaddq_f64(acc, vcvt_high_f64_f32(first));
                acc = vaddq_f64(acc, vcvt_f64_f32(vget_low_f32(second)));
                acc = vaddq_f64(acc, vcvt_high_f64_f32(second));
            }
            vst1q_f64(out + j, acc);
        }
    }
    for (; j < n_keys; ++j) out[j] = dot_f16_reference(q, keys + j * key_stride, n);
}

// FCVTN rounds to nearest even, subnormal results included (FPCR.FZ is clear on Linux): the bits of
// f32_to_fp16, NaN payloads aside.
float16x4_t to_f16x4(const float* v) { return vcvt_f16_f32(vld1q_f32(v)); }

void store_f16_neon(const float* values, uint16_t* out, int64_t n) {
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) vst1_u16(out + i, vreinterpret_u16_f16(to_f16x4(values + i)));
    for (; i < n; ++i) out[i] = f32_to_fp16(values[i]);
}

void round_f16_neon(float* values, int64_t n) {
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) vst1q_f32(values + i, vcvt_f32_f16(to_f16x4(values + i)));
    for (; i < n; ++i) values[i] = fp16_to_f32(f32_to_fp16(values[i]));
}

}  // namespace

AttentionKernels attention_kernels_for(Isa isa) {
    if (isa == Isa::neon)
        return {.axpy_f16 = axpy_each_value<axpy_f16_neon>,
                .dots_f16 = dots_each_head<dots_f16_neon>,
                .round_f16 = round_f16_neon,
                .store_f16 = store_f16_neon};
    return {};
}

}  // namespace hearth::cpu
