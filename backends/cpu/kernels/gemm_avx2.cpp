// AVX2 prefill GEMM for Q4_0, Q4_1, Q5_0 and Q5_1 (contract in dot_kernels.h), the AVX-512 kernel's
// scheme (gemm_avx512.cpp) at half the width: the panel's 16 rows are repacked once, a register holds
// four consecutive quants of 8 rows, and the products with four broadcast activation quants land in
// the rows' lanes, so a block's integer sums need no horizontal step and the float steps of 8 outputs
// run in one register (avx2_legacy_traits.h's step8, per lane the reference's expression). Without
// VNNI the products take maddubs (pairs of quants, int16) and one madd per four groups: with unsigned
// quants below 32 the int16 sums of 8 products stay under 2^15, so every integer sum is exact. Q8_0
// keeps its signed quants and takes maddubs(|w|, sign(a, w)) with one madd per group: exact because
// activation quants from the quantizer lie in [-127, 127] (the pair sums stay under 2^15).
#include "backends/cpu/kernels/avx2_transpose.h"
#include "backends/cpu/kernels/gemm_avx2_legacy.h"

namespace hearth::cpu {
namespace {

template <class T>
HEARTH_AVX2 void pack_panel(const GemmArgs& args, ExpandedPanelBlock* panel) {
    const auto row = [&](int r) {
        return reinterpret_cast<const typename T::Weight*>(args.weights + static_cast<uint64_t>(r) * args.weight_stride);
    };
    for (int64_t i = 0; i < args.nblocks; ++i) {
        for (int half = 0; half < 2; ++half) {
            __m256i v[8];
            alignas(16) uint16_t d[8] = {};
            alignas(16) uint16_t m[8] = {};
            for (int k = 0; k < 8; ++k) {
                const int r = 8 * half + k;
                if (r >= args.weight_rows) {
                    v[k] = _mm256_setzero_si256();
                    continue;
                }
                const typename T::Weight& b = row(r)[i];
                v[k] = Packed<T>::quants(b);
                d[k] = b.d;
                if constexpr (T::kHasMin) m[k] = b.m;
            }
            transpose8(v);
            for (int g = 0; g < kGroups; ++g) _mm256_store_si256(&panel[i].groups[g][half], v[g]);
            _mm256_store_ps(panel[i].d + 8 * half, _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(d))));
            _mm256_store_ps(panel[i].m + 8 * half, _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(m))));
        }
    }
}

template <class T>
HEARTH_AVX2 void gemm(const GemmArgs& args) {
    auto* panel = reinterpret_cast<ExpandedPanelBlock*>(args.panel);
    pack_panel<T>(args, panel);
    run_columns<T>(args, panel);
}

}  // namespace

GemmKernels avx2_gemm_kernels() {
    GemmKernels k;
    k.q4_0 = gemm<Q4_0>;
    k.q4_1 = gemm<Q4_1>;
    k.q5_0 = gemm<Q5_0>;
    k.q5_1 = gemm<Q5_1>;
    k.q8_0 = gemm<Q8_0>;
    return k;
}

}  // namespace hearth::cpu
