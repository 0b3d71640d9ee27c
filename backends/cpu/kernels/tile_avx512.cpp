// AVX-512 VNNI tile kernels for the legacy types (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0): a few weight rows
// against a few activation rows, two blocks per step in one ZMM register. Every weight quant is made
// unsigned (nibbles as they are, Q8_0 quants + 128) so that vpdpbusd forms the products with the int8
// activations exactly; the offset o of the type is taken out as o * sum(activation quants), which seeds
// the accumulator. The 16 (output, block) integer sums of a step land in one register, and the float
// steps run on all outputs at once, lane k being output k: per output they are the reference's
// expression, block after block, so every output equals vec_dot bit for bit.
//
// GCC 12 warns inside <immintrin.h> about the "undefined" source operand of AVX-512 intrinsics once they
// are inlined (GCC bug 105593, a false positive); the pragma must precede the header's first include.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <algorithm>
#include <array>
#include <cstring>

#include "backends/cpu/kernels/avx512_legacy_traits.h"
#include "backends/cpu/kernels/dot_kernels.h"
#include "backends/cpu/kernels/tile_dispatch.h"
#include "core/quant/blocks.h"

namespace hearth::cpu {
namespace {

constexpr int kStepBlocks = 2;  // blocks per step; lane b * 8 + k of a step's sums is output k, block b

// The fp16 fields of a step's blocks, at index b * 8 + row for the weights (x) and b * 8 + column for
// the activations (y). They are staged for a chunk of steps at a time, so that the vector loads of a
// step come long after the narrow stores (a load right after them would stall on store forwarding).
struct alignas(32) StepHalves {
    uint16_t xd[16];
    uint16_t xm[16];
    uint16_t yd[16];
    uint16_t ym[16];
};
constexpr int kChunkSteps = 16;

// -offset * (sum of each 4 activation quants): the seed of every dpbusd accumulator of this column.
template <int Offset>
HEARTH_AVX512 inline __m512i offset_seed(__m512i act) {
    if constexpr (Offset == 0) return _mm512_setzero_si512();
    else return _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_dpbusd_epi32(_mm512_setzero_si512(),
                                                                            _mm512_set1_epi8(static_cast<char>(Offset)), act));
}

// Index vectors that spread per-row (or per-column) staged values to the output lanes b * 8 + k,
// output k = r * C + c.
template <int C>
HEARTH_AVX512 inline __m512i row_of_lane() {
    alignas(64) int idx[16];
    for (int lane = 0; lane < 16; ++lane) idx[lane] = (lane / 8) * 8 + (lane % 8) / C;
    return _mm512_load_si512(idx);
}

template <int C>
HEARTH_AVX512 inline __m512i col_of_lane() {
    alignas(64) int idx[16];
    for (int lane = 0; lane < 16; ++lane) idx[lane] = (lane / 8) * 8 + (lane % 8) % C;
    return _mm512_load_si512(idx);
}

HEARTH_AVX512 inline __m512 spread(const uint16_t* staged, __m512i index) {
    return _mm512_permutexvar_ps(index, _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(staged))));
}

template <class T, int R, int C>
struct TileRows {
    std::array<const typename T::Weight*, R> x;
    std::array<const typename T::Act*, C> y;
};

// Stages the fp16 fields of `count` blocks from block `first` into staged[0 .. (count + 1) / 2).
template <class T, int R, int C>
void stage_halves(const TileRows<T, R, C>& rows, int64_t first, int64_t count, StepHalves* staged) {
    for (int64_t j = 0; j < count; ++j) {
        StepHalves& h = staged[j / kStepBlocks];
        const auto lane0 = static_cast<int>(j % kStepBlocks) * 8;
        for (int r = 0; r < R; ++r) {
            const auto& x = rows.x[static_cast<size_t>(r)][first + j];
            h.xd[lane0 + r] = x.d;
            if constexpr (T::kOffset == 0) h.xm[lane0 + r] = T::weight_m(x);
        }
        for (int c = 0; c < C; ++c) {
            const auto& y = rows.y[static_cast<size_t>(c)][first + j];
            h.yd[lane0 + c] = y.d;
            if constexpr (T::kOffset == 0) h.ym[lane0 + c] = T::act_m(y);
        }
    }
}

// One step of `blocks` (1 or 2) blocks from block i: adds each output's float terms to acc.
template <class T, int R, int C>
HEARTH_AVX512 inline void step(const TileRows<T, R, C>& rows, int64_t i, int blocks, const StepHalves& h, __m256& acc) {
    __m512i act[C];
    __m512i seed[C];
    for (int c = 0; c < C; ++c) {
        const auto* y = rows.y[static_cast<size_t>(c)] + i;
        act[c] = load_quant_blocks(y[0].qs, blocks > 1 ? y[1].qs : nullptr);
        seed[c] = offset_seed<T::kOffset>(act[c]);
    }
    __m512i lanes[kTileMaxOutputs];
    for (int r = 0; r < R; ++r) {
        const auto* x = rows.x[static_cast<size_t>(r)] + i;
        const __m512i w = T::unpack(x, blocks > 1 ? x + 1 : nullptr);
        for (int c = 0; c < C; ++c) lanes[r * C + c] = _mm512_dpbusd_epi32(seed[c], w, act[c]);
    }
    for (int k = R * C; k < kTileMaxOutputs; ++k) lanes[k] = _mm512_setzero_si512();
    const __m512 sumi = _mm512_cvtepi32_ps(block_sums(lanes));
    const __m512i by_row = row_of_lane<C>();
    const __m512i by_col = col_of_lane<C>();
    LaneScales s{spread(h.xd, by_row), spread(h.yd, by_col), _mm512_setzero_ps(), _mm512_setzero_ps()};
    if constexpr (T::kOffset == 0) {
        s.xm = spread(h.xm, by_row);
        s.ym = spread(h.ym, by_col);
    }
    const __m512 terms = T::terms(sumi, s);
    acc = _mm256_add_ps(acc, _mm512_castps512_ps256(terms));
    if (blocks > 1) acc = _mm256_add_ps(acc, _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(terms), 1)));
}

// R weight rows x C activation rows; output k = r * C + c.
template <class T, int R, int C>
HEARTH_AVX512 void tile(const TileArgs& args) {
    static_assert(R * C <= kTileMaxOutputs && C <= kTileMaxActRows);
    TileRows<T, R, C> rows;
    for (int r = 0; r < R; ++r)
        rows.x[static_cast<size_t>(r)] =
            reinterpret_cast<const typename T::Weight*>(args.weights + static_cast<uint64_t>(r) * args.weight_stride);
    for (int c = 0; c < C; ++c)
        rows.y[static_cast<size_t>(c)] =
            reinterpret_cast<const typename T::Act*>(args.acts + static_cast<uint64_t>(c) * args.act_stride);
    StepHalves staged[kChunkSteps] = {};  // lanes of absent rows stay 0
    __m256 acc = _mm256_setzero_ps();
    for (int64_t first = 0; first < args.nblocks; first += kStepBlocks * kChunkSteps) {
        const int64_t count = std::min<int64_t>(args.nblocks - first, kStepBlocks * kChunkSteps);
        stage_halves(rows, first, count, staged);
        int64_t j = 0;
        for (; j + kStepBlocks <= count; j += kStepBlocks)
            step<T, R, C>(rows, first + j, kStepBlocks, staged[j / kStepBlocks], acc);
        if (j < count) step<T, R, C>(rows, first + j, 1, staged[j / kStepBlocks], acc);
    }
    alignas(32) float sums[8];
    _mm256_store_ps(sums, acc);
    for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c) args.out[c * args.out_stride + r] = sums[r * C + c];
}

template <class T>
struct LegacyTile {
    template <int R, int C>
    static void run(const TileArgs& args) { tile<T, R, C>(args); }
};

template <class T>
void tile_kernel(const TileArgs& args, TileShape shape) {
    dispatch_tile_shape<LegacyTile<T>>(args, shape);
}

}  // namespace

void add_avx512_legacy_kernels(DotKernels& kernels) {
    kernels.tiles.q4_0 = tile_kernel<Q4_0>;
    kernels.tiles.q4_1 = tile_kernel<Q4_1>;
    kernels.tiles.q5_0 = tile_kernel<Q5_0>;
    kernels.tiles.q5_1 = tile_kernel<Q5_1>;
    kernels.tiles.q8_0 = tile_kernel<Q8_0>;
}

}  // namespace hearth::cpu
