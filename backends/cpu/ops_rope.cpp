// Rotary position embedding, computed as ggml does: the angle for pair i is pos * base^(-2i/dims),
// built by repeated float multiplication, divided by optional per-pair frequency factors.
#include <cmath>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "core/error.h"

namespace hearth::cpu {

void CpuBackend::rope(Tensor x, int32_t head_dim, const BatchRows& rows, const RopeParams& p) {
    require(x.rows == static_cast<int64_t>(rows.positions.size()) && head_dim > 0 && x.cols % head_dim == 0,
            ErrorKind::internal, "rope: shape mismatch");
    require(p.n_dims > 0 && p.n_dims <= head_dim && p.n_dims % 2 == 0, ErrorKind::unsupported,
            "rope: rotated dimensions must be even and at most the head size");
    const float* factors = nullptr;
    if (p.freq_factors) {
        require(p.freq_factors->type == DType::F32 && p.freq_factors->in >= p.n_dims / 2, ErrorKind::bad_file,
                "rope: frequency factors must be F32 with one value per rotated pair");
        factors = static_cast<const float*>(p.freq_factors->data);
    }
    const float theta_scale = std::pow(p.freq_base, -2.0f / static_cast<float>(p.n_dims));
    const int64_t n_heads = x.cols / head_dim;
    const int32_t half = p.n_dims / 2;
    pool_.parallel_for(x.rows, [&](int64_t r) {
        std::vector<float> cos_sin(p.n_dims);
        float theta_base = static_cast<float>(rows.positions[r]);
        for (int32_t i = 0; i < half; ++i) {
            const float ff = factors ? factors[i] : 1.0f;
            const float theta = p.freq_scale * (theta_base / ff);
            cos_sin[2 * i] = std::cos(theta);
            cos_sin[2 * i + 1] = std::sin(theta);
            theta_base *= theta_scale;
        }
        for (int64_t h = 0; h < n_heads; ++h) {
            float* v = x.data + r * x.cols + h * head_dim;
            for (int32_t i = 0; i < half; ++i) {
                const int32_t a = p.style == RopeStyle::normal ? 2 * i : i;
                const int32_t b = p.style == RopeStyle::normal ? 2 * i + 1 : i + half;
                const float c = cos_sin[2 * i], s = cos_sin[2 * i + 1];
                const float x0 = v[a], x1 = v[b];
                v[a] = x0 * c - x1 * s;
                v[b] = x0 * s + x1 * c;
            }
        }
    });
}

}  // namespace hearth::cpu
