#pragma once
// The 8 x 8 int32 transpose the AVX2 GEMM kernels repack their panels with. Include only from files
// whose every caller carries HEARTH_AVX2 (see avx2_blocks.h).
#include "backends/cpu/kernels/avx2_blocks.h"

namespace hearth::cpu {
namespace {

// rows[r] = 8 int32 of row r; afterwards rows[k] = int32 k of the 8 rows.
HEARTH_AVX2 inline void transpose8(__m256i* rows) {
    __m256i t[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_epi32(rows[i], rows[i + 1]);
        t[i + 1] = _mm256_unpackhi_epi32(rows[i], rows[i + 1]);
    }
    __m256i s[8];
    for (int i = 0; i < 8; i += 4) {
        s[i] = _mm256_unpacklo_epi64(t[i], t[i + 2]);
        s[i + 1] = _mm256_unpackhi_epi64(t[i], t[i + 2]);
        s[i + 2] = _mm256_unpacklo_epi64(t[i + 1], t[i + 3]);
        s[i + 3] = _mm256_unpackhi_epi64(t[i + 1], t[i + 3]);
    }
    for (int k = 0; k < 4; ++k) {
        rows[k] = _mm256_permute2x128_si256(s[k], s[k + 4], 0x20);
        rows[k + 4] = _mm256_permute2x128_si256(s[k], s[k + 4], 0x31);
    }
}

}  // namespace
}  // namespace hearth::cpu
