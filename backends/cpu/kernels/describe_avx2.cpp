// The K types' activation description (describe_act_blocks, gemm_acts.cpp) with AVX2: each run of
// 32 quants permuted by two vpshufb (one on the run, one on its halves swapped, for the bytes that
// cross 16-byte halves), where the portable loop moves a byte at a time (llama-1b Q5_K_M pp512:
// the descriptions took 3.5% of the time).
#include <immintrin.h>

#include <array>

#include "backends/cpu/kernels/avx2_blocks.h"
#include "backends/cpu/kernels/dot_kernels.h"
#include "backends/cpu/kernels/gemm_act_order.h"
#include "core/quant/blocks.h"

namespace hearth::cpu {
namespace {

// vpshufb controls for a run order: `same` picks the bytes whose source lies in the output byte's
// own 16-byte half, `crossed` (applied to the halves swapped) the others; the rest are zeroed.
struct RunShuffle {
    __m256i same;
    __m256i crossed;
};

HEARTH_AVX2 RunShuffle run_shuffle(const std::array<uint8_t, 32>& order) {
    alignas(32) uint8_t same[32], crossed[32];
    for (int e = 0; e < 32; ++e) {
        const bool here = order[e] / 16 == e / 16;
        same[e] = here ? order[e] % 16 : 0x80;
        crossed[e] = here ? 0x80 : order[e] % 16;
    }
    return {_mm256_load_si256(reinterpret_cast<const __m256i*>(same)), _mm256_load_si256(reinterpret_cast<const __m256i*>(crossed))};
}

HEARTH_AVX2 void describe_k_avx2(const uint8_t* acts, uint64_t act_stride, int64_t rows, int64_t nblocks, KActForm form,
                                 GemmKActBlock* blocks) {
    const RunShuffle shuffle = run_shuffle(k_run_order(form == KActForm::paired_plus128));
    const __m256i flip = _mm256_set1_epi8(static_cast<char>(form == KActForm::lanes ? 0 : 0x80));
    for (int64_t r = 0; r < rows; ++r) {
        const auto* y = reinterpret_cast<const BlockQ8_K*>(acts + static_cast<uint64_t>(r) * act_stride);
        for (int64_t i = 0; i < nblocks; ++i) {
            GemmKActBlock& b = blocks[r * nblocks + i];
            for (int run = 0; run < kQK_K / 32; ++run) {
                const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y[i].qs + 32 * run));
                const __m256i swapped = _mm256_permute4x64_epi64(x, 0x4E);
                const __m256i permuted = _mm256_or_si256(_mm256_shuffle_epi8(x, shuffle.same), _mm256_shuffle_epi8(swapped, shuffle.crossed));
                _mm256_storeu_si256(reinterpret_cast<__m256i*>(b.quants + 32 * run), _mm256_xor_si256(permuted, flip));
            }
            const __m128i low = _mm_loadu_si128(reinterpret_cast<const __m128i*>(y[i].bsums));
            const __m128i high = _mm_loadu_si128(reinterpret_cast<const __m128i*>(y[i].bsums + 8));
            _mm_storeu_si128(reinterpret_cast<__m128i*>(b.bsum_pairs), _mm_hadd_epi16(low, high));
            _mm_storeu_si128(reinterpret_cast<__m128i*>(b.bsums), low);
            _mm_storeu_si128(reinterpret_cast<__m128i*>(b.bsums + 8), high);
            b.d = y[i].d;
            b.padding[0] = b.padding[1] = b.padding[2] = 0;
        }
    }
}

}  // namespace

void add_avx2_describe_kernel(DotKernels& kernels) { kernels.describe_k = describe_k_avx2; }

}  // namespace hearth::cpu
