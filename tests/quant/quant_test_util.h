#pragma once
// Shared helpers of the quant tests: random inputs of several shapes, byte-buffer wrappers around
// the row API, and magnitude-aware error measures.
#include <cmath>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "core/quant/dtype.h"
#include "core/quant/quant.h"

namespace hearth::test {

enum class Distribution {
    normal,         // N(0, 1)
    uniform,        // U(-1, 1)
    outliers,       // N(0, 0.02) with 1% of values 30x larger, like real weight rows
    offset,         // N(0.7, 0.1): all positive, stresses the min/offset of the *_1 and K types
    varying_scale,  // N(0, s) with s jumping between 1e-3 and 10 every 32 values
};

inline constexpr Distribution kDistributions[] = {Distribution::normal, Distribution::uniform, Distribution::outliers,
                                                  Distribution::offset, Distribution::varying_scale};

inline const char* to_string(Distribution d) {
    switch (d) {
        case Distribution::normal: return "normal";
        case Distribution::uniform: return "uniform";
        case Distribution::outliers: return "outliers";
        case Distribution::offset: return "offset";
        case Distribution::varying_scale: return "varying_scale";
    }
    return "?";
}

inline std::vector<float> random_values(Distribution dist, int64_t n, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    std::vector<float> v(static_cast<size_t>(n));
    float scale = 1.0f;
    for (int64_t i = 0; i < n; ++i) {
        float& x = v[static_cast<size_t>(i)];
        switch (dist) {
            case Distribution::normal: x = normal(rng); break;
            case Distribution::uniform: x = uniform(rng); break;
            case Distribution::outliers: x = 0.02f * normal(rng) * (uniform(rng) > 0.98f ? 30.0f : 1.0f); break;
            case Distribution::offset: x = 0.7f + 0.1f * normal(rng); break;
            case Distribution::varying_scale:
                if (i % 32 == 0) scale = std::pow(10.0f, 4.0f * (uniform(rng) + 1.0f) / 2.0f - 3.0f);
                x = scale * normal(rng);
                break;
        }
    }
    return v;
}

inline std::vector<uint8_t> quantize_vec(DType type, std::span<const float> x) {
    std::vector<uint8_t> bytes(row_bytes(dtype_info(type), x.size()));
    quantize_row(type, x.data(), bytes.data(), static_cast<int64_t>(x.size()));
    return bytes;
}

inline std::vector<float> dequantize_vec(DType type, const std::vector<uint8_t>& bytes, int64_t n) {
    std::vector<float> out(static_cast<size_t>(n));
    dequantize_row(type, bytes.data(), out.data(), n);
    return out;
}

// RMS of the difference over RMS of the reference: scale free, so one bound fits every input scale.
inline double normalized_rmse(std::span<const float> reference, std::span<const float> got) {
    double err = 0.0;
    double ref = 0.0;
    for (size_t i = 0; i < reference.size(); ++i) {
        const double d = static_cast<double>(got[i]) - reference[i];
        err += d * d;
        ref += static_cast<double>(reference[i]) * reference[i];
    }
    return ref > 0.0 ? std::sqrt(err / ref) : std::sqrt(err);
}

inline int64_t block_elems(DType type) { return dtype_info(type).block_elems; }

inline std::string type_name(DType type) { return std::string(dtype_info(type).name); }

}  // namespace hearth::test
