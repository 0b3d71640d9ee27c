// AVX2 decode kernels for the legacy types in the file's layout: one to three activation rows (a
// token per concurrent stream, or a short draft to verify) against up to 8 weight rows. The single
// dot pays a horizontal reduction and a chain of scalar float steps per block; here the 8 rows'
// integer lanes of a block are summed by one hadd tree into one vector (lane k is row k), and the
// float steps of the 8 rows run in the lanes of one register, per activation row. Each weight block
// is unpacked once for all activation rows. Per output the float operations are the reference's, in
// its block order, so each output equals vec_dot bit for bit. (The multi-row tiles these replaced
// took each output's float steps one by one: llama-1b Q8_0, 2 streams 22 -> 40 t/s.)
#include "backends/cpu/kernels/avx2_legacy_traits.h"

namespace hearth::cpu {
namespace {

constexpr int kRows = 8;
constexpr uint64_t kDecodeL1Bytes = 8 << 10;  // the most next-row bytes prefetched into L1

// Lane k: the sum of the 8 int32 lanes of v[k].
HEARTH_AVX2 inline __m256i row_totals(const __m256i* v) {
    const __m256i low = _mm256_hadd_epi32(_mm256_hadd_epi32(v[0], v[1]), _mm256_hadd_epi32(v[2], v[3]));
    const __m256i high = _mm256_hadd_epi32(_mm256_hadd_epi32(v[4], v[5]), _mm256_hadd_epi32(v[6], v[7]));
    // Each 128-bit half holds rows 0-3 (low) or 4-7 (high) over half of the lanes: add the halves.
    return _mm256_add_epi32(_mm256_permute2x128_si256(low, high, 0x21), _mm256_blend_epi32(low, high, 0xF0));
}

// Integer lanes of one (weight, activation) pair without the type's offset, and that offset's total
// over the block (subtracted once from all rows' totals instead of once per row).
HEARTH_AVX2 inline __m256i plain_lanes(__m256i w, const OffsetAct& a) { return lanes_unsigned(w, a.quants); }
HEARTH_AVX2 inline int offset_total(const OffsetAct& a) { return hsum(a.offset_lanes); }
HEARTH_AVX2 inline __m256i plain_lanes(__m256i w, __m256i a) { return lanes_unsigned(w, a); }
HEARTH_AVX2 inline int offset_total(__m256i) { return 0; }
HEARTH_AVX2 inline __m256i plain_lanes(const Widened& w, const Widened& a) { return Q8_0::lanes(w, a); }
HEARTH_AVX2 inline int offset_total(const Widened&) { return 0; }

// The fp16 field `field` of block i of rows 0..R-1 as floats, lane k = row k (0 beyond R).
template <class T, int R>
HEARTH_AVX2 inline __m256 row_halves(const typename T::Weight* const* x, int64_t i, uint16_t T::Weight::*field) {
    alignas(16) uint16_t h[kRows] = {};
    for (int r = 0; r < R; ++r) h[r] = x[r][i].*field;
    return _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(h)));
}

template <class T, int R, int C>
HEARTH_AVX2 void decode_rows(const TileArgs& args) {
    static_assert(R >= 1 && R <= kRows && C >= 1 && C <= kDecodeMaxActRows);
    const typename T::Weight* x[kRows];
    for (int r = 0; r < R; ++r) x[r] = weight_row<T>(args, r);
    const typename T::Act* y[C];
    for (int c = 0; c < C; ++c) y[c] = act_row<T>(args, c);
    __m256 sums[C];
    for (int c = 0; c < C; ++c) sums[c] = _mm256_setzero_ps();
    constexpr uint64_t kStepBytes = R * sizeof(typename T::Weight);
    const uint8_t* next = args.weights + R * args.weight_stride;
    // The next rows go to L1 while they fit beside these (SmolLM2's output table: 5 KB a step);
    // longer rows to L2, since prefetching them all into L1 evicts what this step still reads
    // (llama-1b Q8_0, 17 KB a step: one-thread tg 17.8 -> 23.3 t/s).
    const bool to_l2 = R * args.weight_stride > kDecodeL1Bytes;
    for (int64_t i = 0; i < args.nblocks; ++i) {
        for (uint64_t off = 0; off < kStepBytes + 64; off += 64) {
            const auto* line = reinterpret_cast<const char*>(next + i * kStepBytes + off);
            if (to_l2) _mm_prefetch(line, _MM_HINT_T1);
            else _mm_prefetch(line, _MM_HINT_T0);
        }
        typename T::Prepared a[C];
        for (int c = 0; c < C; ++c) a[c] = T::prepare(y[c][i]);
        __m256i lanes[C][kRows];
        for (int r = 0; r < kRows; ++r) {
            if (r >= R) {
                for (int c = 0; c < C; ++c) lanes[c][r] = _mm256_setzero_si256();
                continue;
            }
            const auto w = T::unpack(x[r][i]);
            for (int c = 0; c < C; ++c) lanes[c][r] = plain_lanes(w, a[c]);
        }
        const __m256 xd = row_halves<T, R>(x, i, &T::Weight::d);
        __m256 xm = _mm256_setzero_ps();
        if constexpr (T::kHasMin) xm = row_halves<T, R>(x, i, &T::Weight::m);
        for (int c = 0; c < C; ++c) {
            const __m256i sumi = _mm256_sub_epi32(row_totals(lanes[c]), _mm256_set1_epi32(offset_total(a[c])));
            const Scales ys = T::act_scales(y[c][i]);
            const LaneScales s{xd, xm, _mm256_set1_ps(ys.d), _mm256_set1_ps(ys.m)};
            sums[c] = T::step8(sums[c], s, _mm256_cvtepi32_ps(sumi));
        }
    }
    for (int c = 0; c < C; ++c) {
        alignas(32) float out[kRows];
        _mm256_store_ps(out, sums[c]);
        for (int r = 0; r < R; ++r) args.out[c * args.out_stride + r] = out[r];
    }
}

template <class T, int C>
void decode_columns(const TileArgs& args, int weight_rows) {
    switch (weight_rows) {
        case 1: return decode_rows<T, 1, C>(args);
        case 2: return decode_rows<T, 2, C>(args);
        case 3: return decode_rows<T, 3, C>(args);
        case 4: return decode_rows<T, 4, C>(args);
        case 5: return decode_rows<T, 5, C>(args);
        case 6: return decode_rows<T, 6, C>(args);
        case 7: return decode_rows<T, 7, C>(args);
        default: return decode_rows<T, 8, C>(args);
    }
}

// Decode kernels take shape.weight_rows in 1..8 and shape.act_rows in 1..kDecodeMaxActRows.
template <class T>
void decode_kernel(const TileArgs& args, TileShape shape) {
    switch (shape.act_rows) {
        case 1: return decode_columns<T, 1>(args, shape.weight_rows);
        case 2: return decode_columns<T, 2>(args, shape.weight_rows);
        default: return decode_columns<T, 3>(args, shape.weight_rows);
    }
}

}  // namespace

TileKernels avx2_decode_kernels() {
    TileKernels k;
    k.q4_0 = decode_kernel<Q4_0>;
    k.q4_1 = decode_kernel<Q4_1>;
    k.q5_0 = decode_kernel<Q5_0>;
    k.q5_1 = decode_kernel<Q5_1>;
    k.q8_0 = decode_kernel<Q8_0>;
    return k;
}

}  // namespace hearth::cpu
