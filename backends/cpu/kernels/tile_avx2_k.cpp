// AVX2 tile kernels for the K types (Q4_K, Q5_K, Q6_K with Q8_K activations): a few weight rows
// against a few activation rows. Per super-block, each activation block is put in lane order once
// (avx2_k_blocks.h); then each weight block is unpacked run by run, once, and every run meets all the
// activation blocks while it sits in a register. Each output's float steps are those of the single
// dot in dot_avx2_k.cpp (the reference's), so it equals vec_dot bit for bit.
#include <array>

#include "backends/cpu/kernels/avx2_k_blocks.h"
#include "backends/cpu/kernels/dot_kernels.h"
#include "backends/cpu/kernels/tile_dispatch.h"

namespace hearth::cpu {
namespace {

template <class T>
const typename T::Block* weight_row(const TileArgs& args, int r) {
    return reinterpret_cast<const typename T::Block*>(args.weights + static_cast<uint64_t>(r) * args.weight_stride);
}

inline const BlockQ8_K* act_row(const TileArgs& args, int c) {
    return reinterpret_cast<const BlockQ8_K*>(args.acts + static_cast<uint64_t>(c) * args.act_stride);
}

// R weight rows x C activation rows; output k = r * C + c.
template <class T, int R, int C>
HEARTH_AVX2 void tile(const TileArgs& args) {
    constexpr int kOut = R * C;
    static_assert(kOut <= kTileMaxOutputs && C <= kTileMaxActRows);
    std::array<const typename T::Block*, R> x;
    std::array<const BlockQ8_K*, C> y;
    for (int r = 0; r < R; ++r) x[static_cast<size_t>(r)] = weight_row<T>(args, r);
    for (int c = 0; c < C; ++c) y[static_cast<size_t>(c)] = act_row(args, c);
    std::array<KAccum, kOut> acc;
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

}  // namespace

void add_avx2_k_tiles(TileKernels& tiles) {
    tiles.q4_k = tile_kernel<Q4K>;
    tiles.q5_k = tile_kernel<Q5K>;
    tiles.q6_k = tile_kernel<Q6K>;
}

}  // namespace hearth::cpu
