// F16 / BF16 matmuls in the lanes arithmetic (dot_kernels.h, vec_dot_half_lanes) on NEON: the AVX2
// kernel's scheme (half_gemm_avx2.cpp) with each output's 16 lanes in four registers (lanes 0-3,
// 4-7, 8-11, 12-15). Weights and activations are widened exactly (FCVTL for f16, bf16 shifted into
// a float's high half) and multiplied in with FMLA, which rounds once as the reference's std::fma
// does (Linux leaves FPCR.FZ clear, so subnormals stay). A tile is 3 weight rows by 2 activation
// rows (24 sums in registers), 4 weight rows for one activation row (decode). The last n % 16
// elements go through a zero-padded copy. Base Armv8-A Advanced SIMD only, so no target attribute.
#include <arm_neon.h>

#include "backends/cpu/kernels/half_gemm_tiles.h"

namespace hearth::cpu {
namespace {

constexpr int kLanes = 16;
constexpr int kQuads = kLanes / 4;  // registers per output

template <bool Bf16>
inline float32x4_t widen4(const uint16_t* p) {
    const uint16x4_t halves = vld1_u16(p);
    if constexpr (Bf16) return vreinterpretq_f32_u32(vshll_n_u16(halves, 16));
    return vcvt_f32_f16(vreinterpret_f16_u16(halves));
}

// vec_dot_half_lanes's tree: lanes l and l + 8 added, then l + 4, l + 2, l + 1.
inline float lanes_total(const float32x4_t (&quads)[kQuads]) {
    const float32x4_t four = vaddq_f32(vaddq_f32(quads[0], quads[2]), vaddq_f32(quads[1], quads[3]));
    const float32x2_t two = vadd_f32(vget_low_f32(four), vget_high_f32(four));
    return vget_lane_f32(two, 0) + vget_lane_f32(two, 1);
}

template <bool Bf16>
struct Tiles {
    template <int W, int A>
    struct Tile {
        // Elements [k, k + 16) of rows w and a into the sums.
        static inline __attribute__((always_inline)) void step(float32x4_t (&sums)[A][W][kQuads], const uint16_t* const (&w)[W],
                                                               const uint16_t* const (&a)[A], int64_t k) {
            for (int q = 0; q < kQuads; ++q) {
                float32x4_t wv[W];
                for (int r = 0; r < W; ++r) wv[r] = widen4<Bf16>(w[r] + k + 4 * q);
                for (int c = 0; c < A; ++c) {
                    const float32x4_t av = widen4<Bf16>(a[c] + k + 4 * q);
                    for (int r = 0; r < W; ++r) sums[c][r][q] = vfmaq_f32(sums[c][r][q], wv[r], av);
                }
            }
        }

        static void run(const HalfGemmArgs& g, int64_t r0, int64_t a0) {
            const uint16_t* w[W];
            for (int r = 0; r < W; ++r) w[r] = g.weights + (r0 + r) * g.weight_stride;
            const uint16_t* a[A];
            for (int c = 0; c < A; ++c) a[c] = g.acts + (a0 + c) * g.act_stride;
            float32x4_t sums[A][W][kQuads];
            for (int c = 0; c < A; ++c)
                for (int r = 0; r < W; ++r)
                    for (int q = 0; q < kQuads; ++q) sums[c][r][q] = vdupq_n_f32(0.0f);
            const int64_t full = g.n - g.n % kLanes;
            for (int64_t k = 0; k < full; k += kLanes) step(sums, w, a, k);
            if (full < g.n) {
                const PaddedRun<kLanes, W, A> tail(w, a, full, g.n);
                step(sums, tail.wk, tail.ak, 0);
            }
            for (int c = 0; c < A; ++c)
                for (int r = 0; r < W; ++r) g.out[(a0 + c) * g.out_stride + r0 + r] = lanes_total(sums[c][r]);
        }
    };
};

template <bool Bf16>
void gemm(const HalfGemmArgs& args) {
    if (args.act_rows == 1) return run_half_tiles<Tiles<Bf16>::template Tile, 4, 1>(args, args.weight_rows, 1);
    run_half_tiles<Tiles<Bf16>::template Tile, 3, 2>(args, args.weight_rows, args.act_rows);
}

}  // namespace

HalfGemmKernels neon_half_gemm_kernels() { return {gemm<false>, gemm<true>}; }

}  // namespace hearth::cpu
