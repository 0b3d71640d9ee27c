// Rotary position embedding, computed as ggml does: the angle for pair i is pos * base^(-2i/dims),
// built by repeated float multiplication, divided by optional per-pair frequency factors.
#include <algorithm>
#include <cmath>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/rope_rows.h"
#include "core/error.h"

namespace hearth::cpu {

void check_rope(const RopeParams& p, int32_t head_dim) {
    require(p.n_dims > 0 && p.n_dims <= head_dim && p.n_dims % 2 == 0, ErrorKind::unsupported,
            "rope: rotated dimensions must be even and at most the head size");
    if (p.freq_factors)
        require(p.freq_factors->type == DType::F32 && p.freq_factors->in >= p.n_dims / 2, ErrorKind::bad_file,
                "rope: frequency factors must be F32 with one value per rotated pair");
}

void rope_angles(const RopeParams& p, int32_t pos, float* cos_sin) {
    const float* factors = p.freq_factors ? static_cast<const float*>(p.freq_factors->data) : nullptr;
    const float theta_scale = std::pow(p.freq_base, -2.0f / static_cast<float>(p.n_dims));
    float theta_base = static_cast<float>(pos);
    for (int32_t i = 0; i < p.n_dims / 2; ++i) {
        const float ff = factors ? factors[i] : 1.0f;
        const float theta = p.freq_scale * (theta_base / ff);
        cos_sin[2 * i] = std::cos(theta);
        cos_sin[2 * i + 1] = std::sin(theta);
        theta_base *= theta_scale;
    }
}

void rope_heads(const RopeParams& p, const float* cos_sin, int64_t n_heads, int32_t head_dim, float* v) {
    const int32_t half = p.n_dims / 2;
    for (int64_t h = 0; h < n_heads; ++h, v += head_dim) {
        for (int32_t i = 0; i < half; ++i) {
            const int32_t a = p.style == RopeStyle::normal ? 2 * i : i;
            const int32_t b = p.style == RopeStyle::normal ? 2 * i + 1 : i + half;
            const float c = cos_sin[2 * i], s = cos_sin[2 * i + 1];
            const float x0 = v[a], x1 = v[b];
            v[a] = x0 * c - x1 * s;
            v[b] = x0 * s + x1 * c;
        }
    }
}

void CpuBackend::rope(Tensor x, int32_t head_dim, const BatchRows& rows, const RopeParams& p) {
    require(x.rows == static_cast<int64_t>(rows.positions.size()) && head_dim > 0 && x.cols % head_dim == 0,
            ErrorKind::internal, "rope: shape mismatch");
    check_rope(p, head_dim);
    const float* angles = step_rope_angles(p, rows.positions);
    pool_.parallel_for(x.rows, [&](int64_t r) {
        rope_heads(p, angles + r * p.n_dims, x.cols / head_dim, head_dim, x.data + r * x.cols);
    });
}

const float* CpuBackend::step_rope_angles(const RopeParams& p, std::span<const int32_t> positions) {
    for (const RopeAngles& known : step_rope_angles_) {
        const RopeParams& k = known.params;
        if (k.style == p.style && k.n_dims == p.n_dims && k.freq_base == p.freq_base && k.freq_scale == p.freq_scale &&
            k.freq_factors == p.freq_factors && std::ranges::equal(known.positions, positions))
            return known.cos_sin.data();
    }
    RopeAngles& angles = step_rope_angles_.emplace_back();
    angles.params = p;
    angles.positions.assign(positions.begin(), positions.end());
    angles.cos_sin.resize(positions.size() * static_cast<size_t>(p.n_dims));
    pool_.parallel_for(static_cast<int64_t>(positions.size()), [&](int64_t r) {
        rope_angles(p, positions[static_cast<size_t>(r)], angles.cos_sin.data() + r * p.n_dims);
    });
    return angles.cos_sin.data();
}

}  // namespace hearth::cpu
