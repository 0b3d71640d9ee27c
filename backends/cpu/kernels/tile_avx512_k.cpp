// AVX-512 dots and tiles of the K types (Q4_K, Q5_K, Q6_K with Q8_K activations): the AVX2 kernels'
// lane-order scheme (avx2_k_blocks.h) at twice the width, two runs of 32 quants per ZMM register, one
// in each 256-bit half. Slot l of either half holds elements of the reference's lane l, so adding the
// two halves gives exactly the reference's 8 int32 lanes; the float steps are the AVX2 kernels'
// (KAccum, add_block, finish), so every output equals vec_dot bit for bit.
//
// GCC 12 warns inside <immintrin.h> about the "undefined" source operand of AVX-512 intrinsics once they
// are inlined (GCC bug 105593, a false positive); the pragma must precede the header's first include.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <array>

#include "backends/cpu/kernels/avx2_k_blocks.h"
#include "backends/cpu/kernels/avx512_blocks.h"
#include "backends/cpu/kernels/dot_kernels.h"
#include "backends/cpu/kernels/tile_dispatch.h"

namespace hearth::cpu {
namespace {

constexpr int kPairs = kRuns / 2;  // ZMM registers of quants per super-block

// Two runs of 32 quants (64 bytes), each in lane order in its 256-bit half (see load_lane_order).
HEARTH_AVX512 inline __m512i load_lane_order_pair(const void* p) {
    const __m512i raw = _mm512_loadu_si512(p);
    const __m512i dwords = _mm512_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7, 8, 10, 12, 14, 9, 11, 13, 15);
    const __m512i bytes = _mm512_broadcast_i32x4(_mm_setr_epi8(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15));
    return _mm512_shuffle_epi8(_mm512_permutexvar_epi32(dwords, raw), bytes);
}

HEARTH_AVX512 inline __m512i join(__m256i low, __m256i high) {
    return _mm512_inserti64x4(_mm512_castsi256_si512(low), high, 1);
}

// The exact 8 int lanes of a block: the two halves' slots added.
HEARTH_AVX512 inline __m256i fold_halves(__m512i v) {
    return _mm256_add_epi32(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1));
}

// A Q8_K block for Q4_K / Q5_K weights: runs 2p and 2p + 1 in q[p], the raw bsums.
struct Q45Act512 {
    __m512i q[kPairs];
    __m256i bsums;
    float d;
};

HEARTH_AVX512 inline Q45Act512 prepare_q45_act512(const BlockQ8_K& b) {
    Q45Act512 a;
    for (int p = 0; p < kPairs; ++p) a.q[p] = load_lane_order_pair(b.qs + 64 * p);
    a.bsums = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.bsums));
    a.d = b.d;
    return a;
}

// A Q8_K block for Q6_K weights: as above, plus 32 * (sum of each int16 pair), see Q6Act.
struct Q6Act512 {
    __m512i q[kPairs];
    __m512i offset[kPairs];
    float d;
};

HEARTH_AVX512 inline Q6Act512 prepare_q6_act512(const BlockQ8_K& b) {
    Q6Act512 a;
    for (int p = 0; p < kPairs; ++p) {
        a.q[p] = load_lane_order_pair(b.qs + 64 * p);
        a.offset[p] = _mm512_maddubs_epi16(_mm512_set1_epi8(32), a.q[p]);
    }
    a.d = b.d;
    return a;
}

// Adds runs pair p (quants q, per-pair int16 scales) of one weight block to C activation blocks' lanes.
// No saturation: see add_run in avx2_k_blocks.h.
template <int C>
HEARTH_AVX512 inline void add_pair(__m512i* lanes, __m512i q, __m512i scale, const Q45Act512* a, int p) {
    for (int c = 0; c < C; ++c)
        lanes[c] = _mm512_add_epi32(lanes[c], _mm512_madd_epi16(_mm512_maddubs_epi16(q, a[c].q[p]), scale));
}

template <int C>
HEARTH_AVX512 inline void add_pair(__m512i* lanes, __m512i q, __m512i scale, const Q6Act512* a, int p) {
    for (int c = 0; c < C; ++c) {
        const __m512i pairs = _mm512_sub_epi16(_mm512_maddubs_epi16(q, a[c].q[p]), a[c].offset[p]);
        lanes[c] = _mm512_add_epi32(lanes[c], _mm512_madd_epi16(pairs, scale));
    }
}

// Sub-block scales 2p and 2p + 1 of unpack_scales_mins, one per 256-bit half, in every int16.
HEARTH_AVX512 inline __m512i pair_scale(const Q45Scales& s, int p) {
    const __m512i scales = _mm512_broadcast_i32x4(_mm256_castsi256_si128(s.scales));
    const auto pick = [](int k) { return static_cast<int16_t>((2 * k + 1) << 8 | 2 * k); };
    const __m512i index = join(_mm256_set1_epi16(pick(2 * p)), _mm256_set1_epi16(pick(2 * p + 1)));
    return _mm512_shuffle_epi8(scales, index);
}

// Q4_K / Q5_K: chunk p of qs holds runs 2p (low nibbles) and 2p + 1 (high nibbles); for Q5_K bit k of
// qh[i] is bit 4 of element i of run k.
template <typename Block, int C>
HEARTH_AVX512 inline void add_q45k_block512(const Block& b, const Q45Act512* a, KAccum* acc) {
    constexpr bool kFiveBits = std::is_same_v<Block, BlockQ5_K>;
    const Q45Scales s = unpack_scales_mins(b.scales);
    __m512i qh = _mm512_setzero_si512();
    if constexpr (kFiveBits) {
        const __m256i lanes_qh = load_lane_order(b.qh);
        qh = join(lanes_qh, lanes_qh);
    }
    __m512i lanes[C];
    for (int c = 0; c < C; ++c) lanes[c] = _mm512_setzero_si512();
    for (int p = 0; p < kPairs; ++p) {
        const __m256i raw = load_lane_order(b.qs + 32 * p);
        __m512i q = join(low_nibbles(raw), high_nibbles(raw));
        if constexpr (kFiveBits) {
            const __m512i shifts = join(_mm256_set1_epi16(static_cast<int16_t>(2 * p)),
                                        _mm256_set1_epi16(static_cast<int16_t>(2 * p + 1)));
            const __m512i bit4 = _mm512_slli_epi16(_mm512_srlv_epi16(qh, shifts), 4);
            q = _mm512_or_si512(q, _mm512_and_si512(bit4, _mm512_set1_epi8(0x10)));
        }
        add_pair<C>(lanes, q, pair_scale(s, p), a, p);
    }
    __m256i min_products[C];
    for (int c = 0; c < C; ++c) min_products[c] = _mm256_madd_epi16(a[c].bsums, s.mins);
    int min_sums[C];
    lane_totals<C>(min_products, min_sums);
    const float d = half_to_float(b.d);
    const float dmin = half_to_float(b.dmin);
    for (int c = 0; c < C; ++c) {
        add_block(acc[c], d * a[c].d, fold_halves(lanes[c]));
        acc[c].total -= dmin * a[c].d * static_cast<float>(min_sums[c]);
    }
}

// Q6_K: runs 4h .. 4h + 3 as in add_q6k_block, paired (4h, 4h + 1) and (4h + 2, 4h + 3).
template <int C>
HEARTH_AVX512 inline void add_q6k_block512(const BlockQ6_K& b, const Q6Act512* a, KAccum* acc) {
    const __m512i scales16 =
        _mm512_zextsi256_si512(_mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b.scales))));
    const __m256i top2 = _mm256_set1_epi8(0x30);
    __m512i lanes[C];
    for (int c = 0; c < C; ++c) lanes[c] = _mm512_setzero_si512();
    for (int h = 0; h < kRuns / 4; ++h) {
        const __m256i low0 = load_lane_order(b.ql + 64 * h);
        const __m256i low1 = load_lane_order(b.ql + 64 * h + 32);
        const __m256i high = load_lane_order(b.qh + 32 * h);
        const __m512i q[2] = {
            join(_mm256_or_si256(low_nibbles(low0), _mm256_and_si256(_mm256_slli_epi16(high, 4), top2)),
                 _mm256_or_si256(low_nibbles(low1), _mm256_and_si256(_mm256_slli_epi16(high, 2), top2))),
            join(_mm256_or_si256(high_nibbles(low0), _mm256_and_si256(high, top2)),
                 _mm256_or_si256(high_nibbles(low1), _mm256_and_si256(_mm256_srli_epi16(high, 2), top2)))};
        for (int j = 0; j < 2; ++j) {
            const int k = 4 * h + 2 * j;  // the pair's first run
            const __m512i index = join(_mm256_set1_epi32(k), _mm256_set1_epi32(k + 1));
            add_pair<C>(lanes, q[j], _mm512_permutexvar_epi32(index, scales16), a, k / 2);
        }
    }
    const float d = half_to_float(b.d);
    for (int c = 0; c < C; ++c) add_block(acc[c], d * a[c].d, fold_halves(lanes[c]));
}

template <typename BlockType>
struct Q45K512 {
    using Block = BlockType;
    using Act = Q45Act512;
    HEARTH_AVX512 static Act prepare(const BlockQ8_K& b) { return prepare_q45_act512(b); }
    template <int C>
    HEARTH_AVX512 static void add(const Block& b, const Act* a, KAccum* acc) { add_q45k_block512<Block, C>(b, a, acc); }
};

struct Q6K512 {
    using Block = BlockQ6_K;
    using Act = Q6Act512;
    HEARTH_AVX512 static Act prepare(const BlockQ8_K& b) { return prepare_q6_act512(b); }
    template <int C>
    HEARTH_AVX512 static void add(const Block& b, const Act* a, KAccum* acc) { add_q6k_block512<C>(b, a, acc); }
};

// R weight rows x C activation rows; output k = r * C + c (as tile_avx2_k.cpp).
template <class T, int R, int C>
HEARTH_AVX512 void tile(const TileArgs& args) {
    static_assert(R * C <= kTileMaxOutputs && C <= kTileMaxActRows);
    std::array<const typename T::Block*, R> x;
    std::array<const BlockQ8_K*, C> y;
    for (int r = 0; r < R; ++r)
        x[static_cast<size_t>(r)] =
            reinterpret_cast<const typename T::Block*>(args.weights + static_cast<uint64_t>(r) * args.weight_stride);
    for (int c = 0; c < C; ++c)
        y[static_cast<size_t>(c)] = reinterpret_cast<const BlockQ8_K*>(args.acts + static_cast<uint64_t>(c) * args.act_stride);
    std::array<KAccum, R * C> acc;
    acc.fill(zero_accum());
    for (int64_t i = 0; i < args.nblocks; ++i) {
        typename T::Act a[C];
        for (int c = 0; c < C; ++c) a[c] = T::prepare(y[static_cast<size_t>(c)][i]);
        for (int r = 0; r < R; ++r) T::template add<C>(x[static_cast<size_t>(r)][i], a, acc.data() + r * C);
    }
    for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c) args.out[c * args.out_stride + r] = finish(acc[static_cast<size_t>(r * C + c)]);
}

template <class T>
struct KTile {
    template <int R, int C>
    static void run(const TileArgs& args) { tile<T, R, C>(args); }
};

template <class T>
void tile_kernel(const TileArgs& args, TileShape shape) {
    dispatch_tile_shape<KTile<T>>(args, shape);
}

template <class T>
HEARTH_AVX512 float dot_k(const void* weight_row, const void* act_row, int64_t nblocks) {
    const auto* x = static_cast<const typename T::Block*>(weight_row);
    const auto* y = static_cast<const BlockQ8_K*>(act_row);
    KAccum acc = zero_accum();
    for (int64_t i = 0; i < nblocks; ++i) {
        const typename T::Act a = T::prepare(y[i]);
        T::template add<1>(x[i], &a, &acc);
    }
    return finish(acc);
}

}  // namespace

void add_avx512_k_kernels(DotKernels& kernels) {
    kernels.q4_k = dot_k<Q45K512<BlockQ4_K>>;
    kernels.q5_k = dot_k<Q45K512<BlockQ5_K>>;
    kernels.q6_k = dot_k<Q6K512>;
    kernels.tiles.q4_k = tile_kernel<Q45K512<BlockQ4_K>>;
    kernels.tiles.q5_k = tile_kernel<Q45K512<BlockQ5_K>>;
    kernels.tiles.q6_k = tile_kernel<Q6K512>;
}

}  // namespace hearth::cpu
