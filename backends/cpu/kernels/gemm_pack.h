#pragma once
// The 16 x 16 int32 transpose the AVX-512 GEMM kernels repack their panels with. Include only from files whose every caller
// carries HEARTH_AVX512 (see avx512_blocks.h).
#include "backends/cpu/kernels/avx512_blocks.h"

namespace hearth::cpu {
namespace {

// v[r] holds 16 int32 of row r; afterwards v[k] holds int32 k of every row, lane r = row r.
HEARTH_AVX512 inline void transpose16(__m512i* v) {
    __m512i t[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_epi32(v[i], v[i + 1]);
        t[i + 1] = _mm512_unpackhi_epi32(v[i], v[i + 1]);
    }
    __m512i u[16];  // u[4 * q + j], 128-bit lane l: int32 4l + j of rows 4q .. 4q + 3
    for (int q = 0; q < 4; ++q) {
        const __m512i* s = t + 4 * q;
        u[4 * q + 0] = _mm512_unpacklo_epi64(s[0], s[2]);
        u[4 * q + 1] = _mm512_unpackhi_epi64(s[0], s[2]);
        u[4 * q + 2] = _mm512_unpacklo_epi64(s[1], s[3]);
        u[4 * q + 3] = _mm512_unpackhi_epi64(s[1], s[3]);
    }
    for (int j = 0; j < 4; ++j) {
        const __m512i even_lo = _mm512_shuffle_i32x4(u[j], u[4 + j], 0x88);       // lanes 0, 2 of rows 0-7
        const __m512i odd_lo = _mm512_shuffle_i32x4(u[j], u[4 + j], 0xDD);        // lanes 1, 3
        const __m512i even_hi = _mm512_shuffle_i32x4(u[8 + j], u[12 + j], 0x88);  // rows 8-15
        const __m512i odd_hi = _mm512_shuffle_i32x4(u[8 + j], u[12 + j], 0xDD);
        v[j] = _mm512_shuffle_i32x4(even_lo, even_hi, 0x88);
        v[8 + j] = _mm512_shuffle_i32x4(even_lo, even_hi, 0xDD);
        v[4 + j] = _mm512_shuffle_i32x4(odd_lo, odd_hi, 0x88);
        v[12 + j] = _mm512_shuffle_i32x4(odd_lo, odd_hi, 0xDD);
    }
}

}  // namespace
}  // namespace hearth::cpu
