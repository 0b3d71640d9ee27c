// AVX-512 attention pieces, bit-identical to the reference loops in ops_attention.cpp. Double lanes
// hold 8 keys (Q.K) or 8 dimensions (P.V); each lane adds the reference's float product (exact for
// two halves, so formed by a double FMA) in the reference's order. Q.K transposes each 8 x 8 block of f16 keys once and
// uses it for up to 4 query heads (the heads of one KV group read the same keys).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <algorithm>

#include "backends/cpu/kernels/attention_kernels.h"
#include "core/quant/half.h"

#define HEARTH_AVX512_F __attribute__((target("avx2,fma,f16c,avx512f,avx512vl")))

namespace hearth::cpu {
namespace {

// Query heads sharing each widened key block: up to 8 (two prompt rows of a 4-head KV group, see
// ops_attention.cpp), 16 keys at a time up to 4 heads and 8 beyond (16 double accumulators).
constexpr int kDotHeadsPerPass = 8;
constexpr int kAxpyHeadsPerPass = 4;
constexpr int64_t kMaxPaddedWidth = 256;  // widest head the Q.K tail block pads on the stack

HEARTH_AVX512_F inline __m256 load_f16x8(const uint16_t* p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

// 8 halves widened exactly: f16, or bf16 for the BF16 weight matmul.
template <bool Bf16>
HEARTH_AVX512_F inline __m256 load_halves8(const uint16_t* p) {
    if constexpr (Bf16) {
        const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(raw), 16));
    } else {
        return load_f16x8(p);
    }
}

// rows[i] = 8 values of key i; afterwards rows[d] = value d of the 8 keys.
HEARTH_AVX512_F inline void transpose8(__m256* rows) {
    __m256 t[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(rows[i], rows[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(rows[i], rows[i + 1]);
    }
    __m256 s[8];
    for (int i = 0; i < 8; i += 4) {
        s[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
        s[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xEE);
        s[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
        s[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
    }
    for (int d = 0; d < 4; ++d) {
        rows[d] = _mm256_permute2f128_ps(s[d], s[d + 4], 0x20);
        rows[d + 4] = _mm256_permute2f128_ps(s[d], s[d + 4], 0x31);
    }
}

template <bool Bf16>
double dot_reference(const float* q, const uint16_t* key, int64_t n) {
    double sum = 0.0;
    for (int64_t d = 0; d < n; ++d) sum += static_cast<double>(q[d] * (Bf16 ? bf16_to_f32(key[d]) : fp16_to_f32(key[d])));
    return sum;
}

// Keys [j, j + 8 * G) for heads [h0, h0 + H): H * G independent chains of double adds, so that few
// heads still keep the adder busy. With f16 keys and queries (the contract of dots_f16) the float
// product of two halves is exact (11-bit significands, exponents well inside float's range), so
// widening both and one double FMA gives the reference's sum bit for bit with fewer steps; bf16
// products can leave float's range, so they keep the reference's float multiply.
template <int H, int G, bool Bf16>
HEARTH_AVX512_F void dots_keys(const float* q, int64_t q_stride, const uint16_t* keys, int64_t key_stride, int64_t n,
                               double* out, int64_t out_stride) {
    __m512d acc[G][H];
    for (int g = 0; g < G; ++g)
        for (int h = 0; h < H; ++h) acc[g][h] = _mm512_setzero_pd();
    for (int64_t d = 0; d < n; d += 8) {
        alignas(64) double q_wide[H][8];  // this step's query values, widened once for the broadcasts
        if constexpr (!Bf16)
            for (int h = 0; h < H; ++h) _mm512_store_pd(q_wide[h], _mm512_cvtps_pd(_mm256_loadu_ps(q + h * q_stride + d)));
        for (int g = 0; g < G; ++g) {
            __m256 k[8];
            for (int i = 0; i < 8; ++i) k[i] = load_halves8<Bf16>(keys + (8 * g + i) * key_stride + d);
            transpose8(k);
            for (int i = 0; i < 8; ++i) {
                if constexpr (Bf16) {
                    for (int h = 0; h < H; ++h) {
                        const __m256 product = _mm256_mul_ps(k[i], _mm256_set1_ps(q[h * q_stride + d + i]));
                        acc[g][h] = _mm512_add_pd(acc[g][h], _mm512_cvtps_pd(product));
                    }
                } else {
                    const __m512d wide = _mm512_cvtps_pd(k[i]);
                    for (int h = 0; h < H; ++h) acc[g][h] = _mm512_fmadd_pd(wide, _mm512_set1_pd(q_wide[h][i]), acc[g][h]);
                }
            }
        }
    }
    for (int g = 0; g < G; ++g)
        for (int h = 0; h < H; ++h) _mm512_storeu_pd(out + h * out_stride + 8 * g, acc[g][h]);
}

// Keys [0, 8 * G) for every head, up to kDotHeadsPerPass heads per pass over the keys.
template <int G, bool Bf16>
HEARTH_AVX512_F void dots_heads(const float* q, int64_t q_stride, int heads, const uint16_t* keys, int64_t key_stride,
                                int64_t n, double* out, int64_t out_stride) {
    for (int h = 0; h < heads; h += kDotHeadsPerPass) {
        const float* qh = q + h * q_stride;
        double* o = out + h * out_stride;
        const auto wide = [&]<int H>() HEARTH_AVX512_F {  // 8 keys per pass, so the sums stay in registers
            for (int g = 0; g < G; ++g) dots_keys<H, 1, Bf16>(qh, q_stride, keys + 8 * g * key_stride, key_stride, n, o + 8 * g, out_stride);
        };
        switch (std::min(kDotHeadsPerPass, heads - h)) {
            case 1: dots_keys<1, G, Bf16>(qh, q_stride, keys, key_stride, n, o, out_stride); break;
            case 2: dots_keys<2, G, Bf16>(qh, q_stride, keys, key_stride, n, o, out_stride); break;
            case 3: dots_keys<3, G, Bf16>(qh, q_stride, keys, key_stride, n, o, out_stride); break;
            case 4: dots_keys<4, G, Bf16>(qh, q_stride, keys, key_stride, n, o, out_stride); break;
            case 5: wide.template operator()<5>(); break;
            case 6: wide.template operator()<6>(); break;
            case 7: wide.template operator()<7>(); break;
            default: wide.template operator()<8>(); break;
        }
    }
}

template <bool Bf16>
HEARTH_AVX512_F void dots_half_avx512(const float* q, int64_t q_stride, int heads, const uint16_t* keys,
                                     int64_t key_stride, int64_t n_keys, int64_t n, double* out, int64_t out_stride) {
    int64_t j = 0;
    if (n % 8 == 0) {
        // Two key blocks at a time (twice the independent chains), then one.
        for (; j + 16 <= n_keys; j += 16) dots_heads<2, Bf16>(q, q_stride, heads, keys + j * key_stride, key_stride, n, out + j, out_stride);
        for (; j + 8 <= n_keys; j += 8) dots_heads<1, Bf16>(q, q_stride, heads, keys + j * key_stride, key_stride, n, out + j, out_stride);
    }
    if (n % 8 == 0 && n <= kMaxPaddedWidth && j < n_keys) {
        // The last 1..7 keys as one block padded with zero keys: each key's sum is its own chain, so
        // the present keys' dots are unchanged (causal prefill leaves such a tail on most rows).
        alignas(64) uint16_t padded[8 * kMaxPaddedWidth] = {};
        const int64_t left = n_keys - j;
        for (int64_t i = 0; i < left; ++i) std::copy_n(keys + (j + i) * key_stride, n, padded + i * n);
        for (int h = 0; h < heads; h += kDotHeadsPerPass) {
            const int pass = std::min(kDotHeadsPerPass, heads - h);
            alignas(64) double block[kDotHeadsPerPass * 8];
            dots_heads<1, Bf16>(q + h * q_stride, q_stride, pass, padded, n, n, block, 8);
            for (int i = 0; i < pass; ++i) std::copy_n(block + 8 * i, left, out + (h + i) * out_stride + j);
        }
        return;
    }
    for (; j < n_keys; ++j)
        for (int h = 0; h < heads; ++h) out[h * out_stride + j] = dot_reference<Bf16>(q + h * q_stride, keys + j * key_stride, n);
}

// H heads times Regs x 8 dimensions of double sums stay in registers over the run of values; each
// value block is widened once for all H heads. f16 probabilities times f16 values are exact
// products (see dots_keys), added by one double FMA each.
constexpr int kAxpyRegs = 4;  // per head: H * kAxpyRegs accumulators, at most 16

template <int H, int Regs>
HEARTH_AVX512_F void axpy_heads(double* acc, int64_t acc_stride, const float* probs, int64_t probs_stride,
                                const uint16_t* values, int64_t value_stride, int64_t n_keys) {
    __m512d sums[H][Regs];
    for (int h = 0; h < H; ++h)
        for (int c = 0; c < Regs; ++c) sums[h][c] = _mm512_loadu_pd(acc + h * acc_stride + 8 * c);
    for (int64_t j = 0; j < n_keys; ++j) {
        const uint16_t* v = values + j * value_stride;
        __m512d wide[Regs];
        for (int c = 0; c < Regs; ++c) wide[c] = _mm512_cvtps_pd(load_f16x8(v + 8 * c));
        for (int h = 0; h < H; ++h) {
            const __m512d p = _mm512_set1_pd(probs[h * probs_stride + j]);
            for (int c = 0; c < Regs; ++c) sums[h][c] = _mm512_fmadd_pd(p, wide[c], sums[h][c]);
        }
    }
    for (int h = 0; h < H; ++h)
        for (int c = 0; c < Regs; ++c) _mm512_storeu_pd(acc + h * acc_stride + 8 * c, sums[h][c]);
}

// Dimensions [0, 8 * Regs) for every head, up to kAxpyHeadsPerPass heads per pass over the values.
template <int Regs>
HEARTH_AVX512_F void axpy_dims(double* acc, int64_t acc_stride, const float* probs, int64_t probs_stride, int heads,
                               const uint16_t* values, int64_t value_stride, int64_t n_keys) {
    for (int h = 0; h < heads; h += kAxpyHeadsPerPass) {
        double* a = acc + h * acc_stride;
        const float* p = probs + h * probs_stride;
        switch (std::min(kAxpyHeadsPerPass, heads - h)) {
            case 1: axpy_heads<1, Regs>(a, acc_stride, p, probs_stride, values, value_stride, n_keys); break;
            case 2: axpy_heads<2, Regs>(a, acc_stride, p, probs_stride, values, value_stride, n_keys); break;
            case 3: axpy_heads<3, Regs>(a, acc_stride, p, probs_stride, values, value_stride, n_keys); break;
            default: axpy_heads<4, Regs>(a, acc_stride, p, probs_stride, values, value_stride, n_keys); break;
        }
    }
}

HEARTH_AVX512_F void axpy_f16_avx512(double* acc, int64_t acc_stride, const float* probs, int64_t probs_stride,
                                     int heads, const uint16_t* values, int64_t value_stride, int64_t n_keys, int64_t n) {
    int64_t d = 0;
    for (; d + 8 * kAxpyRegs <= n; d += 8 * kAxpyRegs)
        axpy_dims<kAxpyRegs>(acc + d, acc_stride, probs, probs_stride, heads, values + d, value_stride, n_keys);
    for (; d + 8 <= n; d += 8) axpy_dims<1>(acc + d, acc_stride, probs, probs_stride, heads, values + d, value_stride, n_keys);
    for (int h = 0; h < heads; ++h)
        for (int64_t i = d; i < n; ++i)
            for (int64_t j = 0; j < n_keys; ++j)
                acc[h * acc_stride + i] += static_cast<double>(probs[h * probs_stride + j] * fp16_to_f32(values[j * value_stride + i]));
}

}  // namespace

AttentionKernels avx512_attention_kernels() {
    return {axpy_f16_avx512, dots_half_avx512<false>, round_f16_avx2, dots_half_avx512<true>, store_f16_avx2};
}

}  // namespace hearth::cpu
