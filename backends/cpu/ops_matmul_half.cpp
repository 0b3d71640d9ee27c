// F16 and BF16 weights x f32 activations. The reference (ggml's vec_dot_f16 / vec_dot_bf16) rounds the
// activations to the weight type and sums float products in double, element after element: the Q.K
// kernels of attention compute exactly that, with weight rows as keys and up to 4 activation rows as
// the query heads that share them (each block of 8 x 8 weights is widened and transposed once). That
// is the exact arithmetic; by default the lanes kernels (vec_dot_half_lanes: float FMAs in 16 lanes)
// take every batch where the instruction set has them. The rounding of the activations is
// matmuls()'s conversion (ops_matmul.cpp).
#include <algorithm>
#include <vector>

#include "backends/cpu/cpu_backend.h"

namespace hearth::cpu {
namespace {

constexpr int64_t kHalfRowsPerUnit = 64;  // weight rows per unit of work (a task with a batch)
constexpr int64_t kHalfRowsPerPass = 256; // weight rows per kernel call (bounds the double buffer)
constexpr int kActRowsPerPass = 4;        // activation rows sharing a pass over the weights
// The lanes kernels take a task's weight rows this many bytes at a time with all activation rows, so
// that those rows stay in L2 while every activation row passes over them.
constexpr int64_t kLanesBlockBytes = 256 * 1024;

int64_t lanes_block_rows(int64_t in) {
    return std::max<int64_t>(1, kLanesBlockBytes / (static_cast<int64_t>(sizeof(uint16_t)) * in));
}

}  // namespace

// A block of the lanes kernels' weight rows as floats (what a kernel may widen a batch's weights into).
uint64_t CpuBackend::lanes_scratch_bytes(const Weight& w) {
    return sizeof(float) * static_cast<uint64_t>(std::min(lanes_block_rows(w.in), w.out) * w.in);
}

MatmulPart CpuBackend::half_part(const Weight& w, const MatmulInputs::Slot& acts, int64_t act_rows, Tensor out,
                                 F16DotsKernel dots, ScratchPanels scratch) const {
    const auto* rounded = reinterpret_cast<const float*>(acts.data);
    const auto* weights = static_cast<const uint16_t*>(w.data);
    // Decode gives each thread one contiguous range of rows (see row_part); a batch takes smaller tasks.
    const int64_t n_units = (w.out + kHalfRowsPerUnit - 1) / kHalfRowsPerUnit;
    const int64_t n_tasks = act_rows == 1 ? std::min<int64_t>(n_units, pool_.size()) : n_units;
    const int64_t in = w.in;
    const int64_t w_out = w.out;
    if (packs_halves(w.type)) {
        const HalfGemmKernel lanes = dot_kernels_.half_gemm.for_type(w.type);
        const int64_t block_rows = lanes_block_rows(in);
        const auto* act_data = reinterpret_cast<const uint16_t*>(acts.data);
        return {n_tasks, n_units, [=](int64_t begin_unit, int64_t end_unit, int worker) {
                    const int64_t end = std::min(w_out, end_unit * kHalfRowsPerUnit);
                    auto* widened = reinterpret_cast<float*>(scratch.of(worker));
                    for (int64_t o = begin_unit * kHalfRowsPerUnit; o < end; o += block_rows)
                        lanes({weights + o * in, in, std::min(block_rows, end - o), act_data, in, act_rows, in, out.data + o, w_out, widened});
                }};
    }
    return {n_tasks, n_units, [=](int64_t begin_unit, int64_t end_unit, int) {
                const int64_t end = std::min(w_out, end_unit * kHalfRowsPerUnit);
                std::vector<double> sums(static_cast<size_t>(kActRowsPerPass * kHalfRowsPerPass));
                for (int64_t o = begin_unit * kHalfRowsPerUnit; o < end; o += kHalfRowsPerPass) {
                    const int64_t rows = std::min(kHalfRowsPerPass, end - o);
                    for (int64_t r0 = 0; r0 < act_rows; r0 += kActRowsPerPass) {
                        const int heads = static_cast<int>(std::min<int64_t>(kActRowsPerPass, act_rows - r0));
                        dots(rounded + r0 * in, in, heads, weights + o * in, in, rows, in, sums.data(), kHalfRowsPerPass);
                        for (int h = 0; h < heads; ++h)
                            for (int64_t i = 0; i < rows; ++i)
                                out.data[(r0 + h) * w_out + o + i] = static_cast<float>(sums[static_cast<size_t>(h * kHalfRowsPerPass + i)]);
                    }
                }
            }};
}

}  // namespace hearth::cpu
