// AVX2 tile kernels for the legacy types: a few weight rows against a few activation rows. Per block,
// each weight block is unpacked once, the 32-element integer products of every (weight, activation)
// pair are formed as 8 int32 lanes, and all pairs' lanes are summed together by one hadd tree. The
// integer sums are exact in any order; each output then takes the float step of the single kernel in
// dot_avx2.cpp (the reference's expression), block after block, so it equals vec_dot bit for bit.
#include <array>

#include "backends/cpu/kernels/avx2_legacy_traits.h"
#include "backends/cpu/kernels/dot_kernels.h"
#include "backends/cpu/kernels/tile_dispatch.h"
#include "core/quant/blocks.h"

namespace hearth::cpu {
namespace {

// R weight rows x C activation rows; output k = r * C + c.
template <class T, int R, int C>
HEARTH_AVX2 void tile(const TileArgs& args) {
    constexpr int kOut = R * C;
    static_assert(kOut <= kTileMaxOutputs && C <= kTileMaxActRows);
    std::array<const typename T::Weight*, R> x;
    std::array<const typename T::Act*, C> y;
    for (int r = 0; r < R; ++r) x[static_cast<size_t>(r)] = weight_row<T>(args, r);
    for (int c = 0; c < C; ++c) y[static_cast<size_t>(c)] = act_row<T>(args, c);
    std::array<float, kOut> sums{};
    for (int64_t i = 0; i < args.nblocks; ++i) {
        __m256i lanes[kOut];
        std::array<Scales, R> xs;
        std::array<Scales, C> ys;
        typename T::Prepared prepared[C];
        for (int c = 0; c < C; ++c) {
            ys[static_cast<size_t>(c)] = T::act_scales(y[static_cast<size_t>(c)][i]);
            prepared[c] = T::prepare(y[static_cast<size_t>(c)][i]);
        }
        for (int r = 0; r < R; ++r) {
            const auto& block = x[static_cast<size_t>(r)][i];
            xs[static_cast<size_t>(r)] = T::weight_scales(block);
            const typename T::Unpacked w = T::unpack(block);
            for (int c = 0; c < C; ++c)
                lanes[r * C + c] = T::lanes(w, prepared[c]);
        }
        int sumi[kOut];
        lane_totals<kOut>(lanes, sumi);
        for (int r = 0; r < R; ++r)
            for (int c = 0; c < C; ++c) {
                const auto k = static_cast<size_t>(r * C + c);
                sums[k] = T::step(sums[k], xs[static_cast<size_t>(r)], ys[static_cast<size_t>(c)], sumi[k]);
            }
    }
    for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c) args.out[c * args.out_stride + r] = sums[static_cast<size_t>(r * C + c)];
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

TileKernels avx2_tile_kernels() {
    TileKernels k;
    k.q4_0 = tile_kernel<Q4_0>;
    k.q4_1 = tile_kernel<Q4_1>;
    k.q5_0 = tile_kernel<Q5_0>;
    k.q5_1 = tile_kernel<Q5_1>;
    k.q8_0 = tile_kernel<Q8_0>;
    return k;
}

}  // namespace hearth::cpu
