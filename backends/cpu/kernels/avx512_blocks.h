#pragma once
// AVX-512 helpers shared by the AVX-512 kernels. Include only from files whose every caller carries
// HEARTH_AVX512; as in avx2_blocks.h the helpers live in an unnamed namespace so that no AVX-512 copy
// of an inline function is shared with other translation units. Those files silence GCC 12's
// false -W(maybe-)uninitialized on the intrinsics' "undefined" operands (GCC bug 105593) before any
// include, since the warning is placed inside <immintrin.h>.
#include <immintrin.h>

#define HEARTH_AVX512 \
    __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")))

namespace hearth::cpu {
namespace {

// Per 128-bit chunk q, the totals of chunk q of w[0..4): [w0 w1 w2 w3].
HEARTH_AVX512 inline __m512i chunk_totals(const __m512i* w) {
    const __m512i s01 = _mm512_add_epi32(_mm512_unpacklo_epi32(w[0], w[1]), _mm512_unpackhi_epi32(w[0], w[1]));
    const __m512i s23 = _mm512_add_epi32(_mm512_unpacklo_epi32(w[2], w[3]), _mm512_unpackhi_epi32(w[2], w[3]));
    return _mm512_add_epi32(_mm512_unpacklo_epi64(s01, s23), _mm512_unpackhi_epi64(s01, s23));
}

// The sums of each block half of v[0..8): v[k] holds output k's 8 int32 lanes of block 0 in lanes 0-7
// and of block 1 in lanes 8-15; the result holds output k's block b total in lane b * 8 + k.
HEARTH_AVX512 inline __m512i block_sums(const __m512i* v) {
    const __m512i low = chunk_totals(v);
    const __m512i high = chunk_totals(v + 4);
    // Chunks 0, 1 are block 0 and 2, 3 block 1: sum them pairwise into [low b0, low b1, high b0, high b1].
    const __m512i even = _mm512_shuffle_i32x4(low, high, _MM_SHUFFLE(2, 0, 2, 0));
    const __m512i odd = _mm512_shuffle_i32x4(low, high, _MM_SHUFFLE(3, 1, 3, 1));
    const __m512i order = _mm512_setr_epi32(0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 12, 13, 14, 15);
    return _mm512_permutexvar_epi32(order, _mm512_add_epi32(even, odd));
}

}  // namespace
}  // namespace hearth::cpu
