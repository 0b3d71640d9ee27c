// Row-wise and element-wise ops: RMS norm, residual add, bias, scaling and the gated activations.
#include <cmath>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/gelu.h"
#include "core/error.h"

namespace hearth::cpu {
namespace {

void require_same_shape(Tensor a, Tensor b, const char* op) {
    require(a.rows == b.rows && a.cols == b.cols, ErrorKind::internal, [op] { return std::string(op) + ": shape mismatch"; });
}

void check_norm_weight(const Weight& weight, int64_t cols) {
    require(weight.type == DType::F32 && weight.in == cols, ErrorKind::unsupported,
            "rms_norm: the norm weight must be F32 with one value per column");
}

float silu(float x) { return x / (1.0f + std::exp(-x)); }

}  // namespace

// Decode streams a layer's megabytes of weights between one norm and the next, so a norm's weight
// comes from memory each time, a few misses in a row before the prefetchers catch on (SmolLM2:
// ~1 us of a token's ~60 norms each). Requested before the matmul that precedes the norm, it
// arrives while the matmul runs. Only small weights: each line is one request, and the calling
// thread stalls once it has more requests in flight than the core tracks. A matrix is read ahead
// instead by every thread, its own share, once the next job leaves it idle (hand_out_read_ahead).
void CpuBackend::prefetch(const Weight& w) {
    constexpr uint64_t kMostBytes = uint64_t{16} << 10;
    const uint64_t bytes = row_bytes(dtype_info(w.type), w.in) * static_cast<uint64_t>(w.out);
    if (w.data == nullptr) return;
    const auto* first = static_cast<const uint8_t*>(w.data);
    if (bytes > kMostBytes) {
        if (!upcoming_weights_.full()) upcoming_weights_.push_back({first, bytes});
        return;
    }
    for (uint64_t b = 0; b < bytes; b += 64) __builtin_prefetch(first + b);
}

void CpuBackend::rms_norm(Tensor x, const Weight& weight, float eps, Tensor out) {
    require_same_shape(x, out, "rms_norm");
    check_norm_weight(weight, x.cols);
    pool_.parallel_for(x.rows, [&](int64_t r) { norm_row(x.data + r * x.cols, weight, eps, out.data + r * x.cols); });
}

void CpuBackend::norm_row(const float* src, const Weight& weight, float eps, float* dst) const {
    const auto* w = static_cast<const float*>(weight.data);
    const int64_t n = weight.in;
    // ggml squares in float and accumulates in double, in order; the default arithmetic's kernel
    // adds the same squares in double in another order (per row: any batch).
    double sum = 0.0;
    if (!exact_ && fast_math_.sum_squares) {
        sum = fast_math_.sum_squares(src, n);
    } else {
        for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(src[i] * src[i]);
    }
    const float mean = static_cast<float>(sum / static_cast<double>(n));
    const float scale = 1.0f / std::sqrt(mean + eps);
    for (int64_t i = 0; i < n; ++i) dst[i] = (src[i] * scale) * w[i];
}

void CpuBackend::add_bias(Tensor x, const Weight& bias) {
    require(bias.type == DType::F32 && bias.in == x.cols, ErrorKind::unsupported,
            "add_bias: the bias must be F32 with one value per column");
    const auto* b = static_cast<const float*>(bias.data);
    pool_.parallel_for(x.rows, [&](int64_t r) {
        for (int64_t i = 0; i < x.cols; ++i) x.data[r * x.cols + i] += b[i];
    });
}

// Row by row on every thread: a prompt's residual adds stream megabytes (llama-1b pp512: 4 MB a side).
void CpuBackend::add(Tensor a, Tensor b, Tensor out) {
    require_same_shape(a, b, "add");
    require_same_shape(a, out, "add");
    pool_.parallel_for(a.rows, [&](int64_t r) {
        for (int64_t i = r * a.cols; i < (r + 1) * a.cols; ++i) out.data[i] = a.data[i] + b.data[i];
    });
}

void CpuBackend::scale(Tensor x, float factor) {
    for (int64_t i = 0; i < x.size(); ++i) x.data[i] *= factor;
}

void CpuBackend::softcap(Tensor x, float cap) {
    require(cap > 0.0f, ErrorKind::internal, "softcap: the cap must be positive");
    const float inverse = 1.0f / cap;  // as ggml: scale, tanh, scale
    // Shared out by elements: a decode step's one row of logits is 262144 tanhf calls with Gemma's
    // vocabulary (~7 ms on one thread).
    pool_.parallel_for(x.size(), [&](int64_t i) { x.data[i] = std::tanh(x.data[i] * inverse) * cap; });
}

void CpuBackend::swiglu(Tensor gate, Tensor up, Tensor out) {
    require_same_shape(gate, up, "swiglu");
    require_same_shape(gate, out, "swiglu");
    const SwigluKernel fast = exact_ ? nullptr : fast_math_.swiglu;  // elementwise: any batch
    pool_.parallel_for(gate.rows, [&](int64_t r) {
        const int64_t begin = r * gate.cols;
        if (fast) return fast(gate.data + begin, up.data + begin, out.data + begin, gate.cols);
        for (int64_t i = begin; i < begin + gate.cols; ++i) out.data[i] = silu(gate.data[i]) * up.data[i];
    });
}

void CpuBackend::gelu_glu(Tensor gate, Tensor up, Tensor out) {
    require_same_shape(gate, up, "gelu_glu");
    require_same_shape(gate, out, "gelu_glu");
    pool_.parallel_for(gate.rows, [&](int64_t r) {
        const int64_t begin = r * gate.cols;
        gelu_glu_row(gate.data + begin, up.data + begin, out.data + begin, gate.cols, attention_kernels_.store_f16);
    });
}

}  // namespace hearth::cpu
