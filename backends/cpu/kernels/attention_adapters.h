#pragma once
// Builds the run / multi-head attention kernels of attention_kernels.h from single-key and
// single-head ones, for instruction sets whose kernels do one value or one head at a time.
#include <cstdint>

namespace hearth::cpu {

// OneValue: acc[d] += double(p * f16(v[d])) for d < n.
template <void (*OneValue)(double*, float, const uint16_t*, int64_t)>
void axpy_each_value(double* acc, int64_t acc_stride, const float* probs, int64_t probs_stride, int heads,
                     const uint16_t* values, int64_t value_stride, int64_t n_keys, int64_t n) {
    for (int h = 0; h < heads; ++h)
        for (int64_t j = 0; j < n_keys; ++j)
            OneValue(acc + h * acc_stride, probs[h * probs_stride + j], values + j * value_stride, n);
}

// OneHead: out[j] = Q.K of one query with keys j < n_keys.
template <void (*OneHead)(const float*, const uint16_t*, int64_t, int64_t, int64_t, double*)>
void dots_each_head(const float* q, int64_t q_stride, int heads, const uint16_t* keys, int64_t key_stride,
                    int64_t n_keys, int64_t n, double* out, int64_t out_stride) {
    for (int h = 0; h < heads; ++h) OneHead(q + h * q_stride, keys, key_stride, n_keys, n, out + h * out_stride);
}

}  // namespace hearth::cpu
