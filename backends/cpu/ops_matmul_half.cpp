// F16 and BF16 weights x f32 activations. The reference (ggml's vec_dot_f16 / vec_dot_bf16) rounds the
// activations to the weight type and sums float products in double, element after element: the Q.K
// kernels of attention compute exactly that, with weight rows as keys and up to 4 activation rows as
// the query heads that share them (each block of 8 x 8 weights is widened and transposed once).
#include <algorithm>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "core/quant/half.h"

namespace hearth::cpu {
namespace {

constexpr int64_t kHalfRowsPerTask = 64;  // weight rows per task with a batch
constexpr int64_t kHalfRowsPerPass = 256; // weight rows per kernel call (bounds the double buffer)
constexpr int kActRowsPerPass = 4;        // activation rows sharing a pass over the weights

}  // namespace

void CpuBackend::half_matmul(const Weight& w, Tensor x, Tensor out, F16DotsKernel dots) {
    // Activations rounded to the weight type, kept as floats (the kernels take float queries).
    std::vector<float>& rounded = half_acts_;
    rounded.assign(x.data, x.data + x.rows * x.cols);
    if (w.type == DType::F16 && attention_kernels_.round_f16) {
        attention_kernels_.round_f16(rounded.data(), static_cast<int64_t>(rounded.size()));
    } else {
        for (float& v : rounded) v = w.type == DType::F16 ? fp16_to_f32(f32_to_fp16(v)) : bf16_to_f32(f32_to_bf16(v));
    }
    const auto* weights = static_cast<const uint16_t*>(w.data);
    // Decode gives each thread one contiguous range of rows (see matmul); a batch takes smaller tasks.
    const int64_t task_rows = x.rows == 1 ? (w.out + pool_.size() - 1) / pool_.size() : kHalfRowsPerTask;
    const int64_t n_tasks = (w.out + task_rows - 1) / task_rows;
    pool_.parallel_for(n_tasks, [&](int64_t task) {
        const int64_t end = std::min(w.out, (task + 1) * task_rows);
        std::vector<double> sums(static_cast<size_t>(kActRowsPerPass * kHalfRowsPerPass));
        for (int64_t o = task * task_rows; o < end; o += kHalfRowsPerPass) {
            const int64_t rows = std::min(kHalfRowsPerPass, end - o);
            for (int64_t r0 = 0; r0 < x.rows; r0 += kActRowsPerPass) {
                const int heads = static_cast<int>(std::min<int64_t>(kActRowsPerPass, x.rows - r0));
                dots(rounded.data() + r0 * w.in, w.in, heads, weights + o * w.in, w.in, rows, w.in, sums.data(),
                     kHalfRowsPerPass);
                for (int h = 0; h < heads; ++h)
                    for (int64_t i = 0; i < rows; ++i)
                        out.data[(r0 + h) * w.out + o + i] = static_cast<float>(sums[static_cast<size_t>(h * kHalfRowsPerPass + i)]);
            }
        }
    });
}

}  // namespace hearth::cpu
