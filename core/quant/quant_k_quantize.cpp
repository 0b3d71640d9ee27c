// Reference (non-imatrix) quantizers of the K types, as ggml's quantize_row_q{4,5,6,8}_K_ref: the
// same searches for sub-block scales, the same float expressions in the same order, so the output
// bytes equal llama-quantize's without an importance matrix.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "core/quant/half.h"
#include "core/quant/quant_ref.h"

namespace hearth::ref {
namespace {

constexpr float kGroupMaxEps = 1e-15f;  // below this a sub-block counts as all zero

// Round to nearest, ties to even, by the float magic-number trick ggml uses; valid for |v| < 2^22,
// and like ggml it yields garbage (but defined) values outside that range.
int nearest_int(float v) {
    const float shifted = v + 12582912.f;
    return static_cast<int>(std::bit_cast<uint32_t>(shifted) & 0x007FFFFFu) - 0x00400000;
}

int clamp_int(int v, int lo, int hi) { return std::max(lo, std::min(hi, v)); }

struct AsymmetricFit {
    float scale;
    float min;  // the offset to subtract: x ~= scale * L - min, min >= 0
};

// ggml's make_qkx2_quants: levels L in 0..nmax for x ~= scale * L + offset (offset <= 0), first from
// the min/max range, then trying nstep+1 scales around it with a weighted least-squares fit of scale
// and offset, keeping the one with the least weighted squared error.
struct Qkx2Search {
    float rmin;
    float rdelta;
    int nstep;
};

AsymmetricFit make_qkx2_quants(int n, int nmax, const float* x, const float* weights, uint8_t* L,
                               const Qkx2Search& search) {
    float min = x[0];
    float max = x[0];
    float sum_w = weights[0];
    float sum_x = sum_w * x[0];
    for (int i = 1; i < n; ++i) {
        if (x[i] < min) min = x[i];
        if (x[i] > max) max = x[i];
        sum_w += weights[i];
        sum_x += weights[i] * x[i];
    }
    if (min > 0) min = 0;
    if (max == min) {
        std::memset(L, 0, static_cast<size_t>(n));
        return {0.0f, -min};
    }
    float iscale = static_cast<float>(nmax) / (max - min);
    float scale = 1 / iscale;
    float best_error = 0;
    for (int i = 0; i < n; ++i) {
        L[i] = static_cast<uint8_t>(clamp_int(nearest_int(iscale * (x[i] - min)), 0, nmax));
        const float diff = scale * L[i] + min - x[i];
        best_error += weights[i] * (diff * diff);
    }
    uint8_t Laux[32];
    for (int is = 0; is <= search.nstep; ++is) {
        iscale = (search.rmin + search.rdelta * static_cast<float>(is) + static_cast<float>(nmax)) / (max - min);
        float sum_l = 0;
        float sum_l2 = 0;
        float sum_xl = 0;
        for (int i = 0; i < n; ++i) {
            const int l = clamp_int(nearest_int(iscale * (x[i] - min)), 0, nmax);
            Laux[i] = static_cast<uint8_t>(l);
            const float w = weights[i];
            sum_l += w * static_cast<float>(l);
            sum_l2 += w * static_cast<float>(l) * static_cast<float>(l);
            sum_xl += w * static_cast<float>(l) * x[i];
        }
        const float D = sum_w * sum_l2 - sum_l * sum_l;
        if (D > 0) {
            float this_scale = (sum_w * sum_xl - sum_x * sum_l) / D;
            float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / D;
            if (this_min > 0) {
                this_min = 0;
                this_scale = sum_xl / sum_l2;
            }
            float cur_error = 0;
            for (int i = 0; i < n; ++i) {
                const float diff = this_scale * Laux[i] + this_min - x[i];
                cur_error += weights[i] * (diff * diff);
            }
            if (cur_error < best_error) {
                std::memcpy(L, Laux, static_cast<size_t>(n));
                best_error = cur_error;
                scale = this_scale;
                min = this_min;
            }
        }
    }
    return {scale, -min};
}

// ggml's make_qx_quants with rmse_type 1 and no importance weights: signed levels in -nmax..nmax-1
// (stored + nmax) for x ~= scale * l, searching 19 scales weighted by x^2.
float make_qx_quants(int n, int nmax, const float* x, int8_t* L) {
    float max = 0;
    float amax = 0;
    for (int i = 0; i < n; ++i) {
        const float ax = std::fabs(x[i]);
        if (ax > amax) {
            amax = ax;
            max = x[i];
        }
    }
    if (amax < kGroupMaxEps) {
        std::memset(L, 0, static_cast<size_t>(n));
        return 0.0f;
    }
    const auto fit = [&](float iscale, int8_t* levels, float& sumlx, float& suml2) {
        sumlx = 0;
        suml2 = 0;
        for (int i = 0; i < n; ++i) {
            const int l = clamp_int(nearest_int(iscale * x[i]), -nmax, nmax - 1);
            if (levels) levels[i] = static_cast<int8_t>(l + nmax);
            const float w = x[i] * x[i];
            sumlx += w * x[i] * static_cast<float>(l);
            suml2 += w * static_cast<float>(l) * static_cast<float>(l);
        }
    };
    float sumlx = 0;
    float suml2 = 0;
    fit(static_cast<float>(-nmax) / max, L, sumlx, suml2);
    float scale = suml2 != 0.0f ? sumlx / suml2 : 0.0f;
    float best = scale * sumlx;
    for (int is = -9; is <= 9; ++is) {
        if (is == 0) continue;
        const float iscale = -(static_cast<float>(nmax) + 0.1f * static_cast<float>(is)) / max;
        fit(iscale, nullptr, sumlx, suml2);
        if (suml2 > 0 && sumlx * sumlx > best * suml2) {
            fit(iscale, L, sumlx, suml2);
            scale = sumlx / suml2;
            best = scale * sumlx;
        }
    }
    return scale;
}

// Packs 6-bit scale and min of sub-block j into the 12 bytes unpack_scale_min_k4 reads.
void pack_scale_min_k4(int j, uint8_t ls, uint8_t lm, uint8_t* scales) {
    if (j < 4) {
        scales[j] = ls;
        scales[j + 4] = lm;
    } else {
        scales[j + 4] = static_cast<uint8_t>((ls & 0xF) | ((lm & 0xF) << 4));
        scales[j - 4] = static_cast<uint8_t>(scales[j - 4] | ((ls >> 4) << 6));
        scales[j] = static_cast<uint8_t>(scales[j] | ((lm >> 4) << 6));
    }
}

// ggml stores nearest_int(...) into a uint8_t before MIN(63, ...): out-of-range values wrap first.
uint8_t six_bit_level(float v) { return std::min<uint8_t>(63, static_cast<uint8_t>(nearest_int(v))); }

// The shared Q4_K / Q5_K path: fit the 8 sub-blocks, quantize their scales and mins to 6 bits under
// fp16 super-scales, then requantize every element with the rounded scales. L gets levels 0..nmax.
struct KParams {
    int nmax;
    Qkx2Search search;
};

void quantize_q45k_block(const float* x, const KParams& p, uint16_t& d_out, uint16_t& dmin_out, uint8_t* scales,
                         uint8_t* L) {
    float sub_scales[kQK_K / 32];
    float sub_mins[kQK_K / 32];
    float weights[32];
    float max_scale = 0;
    float max_min = 0;
    for (int j = 0; j < kQK_K / 32; ++j) {
        const float* xs = x + 32 * j;
        float sum_x2 = 0;
        for (int l = 0; l < 32; ++l) sum_x2 += xs[l] * xs[l];
        const float av_x = std::sqrt(sum_x2 / 32);
        for (int l = 0; l < 32; ++l) weights[l] = av_x + std::fabs(xs[l]);
        const AsymmetricFit fit = make_qkx2_quants(32, p.nmax, xs, weights, L + 32 * j, p.search);
        sub_scales[j] = fit.scale;
        sub_mins[j] = fit.min;
        if (fit.scale > max_scale) max_scale = fit.scale;
        if (fit.min > max_min) max_min = fit.min;
    }
    const float inv_scale = max_scale > 0 ? 63.f / max_scale : 0.f;
    const float inv_min = max_min > 0 ? 63.f / max_min : 0.f;
    std::memset(scales, 0, kScaleBytesK);
    for (int j = 0; j < kQK_K / 32; ++j)
        pack_scale_min_k4(j, six_bit_level(inv_scale * sub_scales[j]), six_bit_level(inv_min * sub_mins[j]), scales);
    d_out = f32_to_fp16(max_scale / 63.f);
    dmin_out = f32_to_fp16(max_min / 63.f);

    for (int j = 0; j < kQK_K / 32; ++j) {
        const ScaleMin sm = unpack_scale_min_k4(j, scales);
        const float d = fp16_to_f32(d_out) * sm.scale;
        if (d == 0.0f) continue;  // keeps the levels of the sub-block fit, as ggml does
        const float dm = fp16_to_f32(dmin_out) * sm.min;
        for (int ii = 0; ii < 32; ++ii)
            L[32 * j + ii] = static_cast<uint8_t>(clamp_int(nearest_int((x[32 * j + ii] + dm) / d), 0, p.nmax));
    }
}

}  // namespace

void quantize(const float* x, BlockQ4_K* y, int64_t nblocks) {
    const KParams params{15, {-1.f, 0.1f, 20}};
    uint8_t L[kQK_K];
    for (int64_t i = 0; i < nblocks; ++i, x += kQK_K) {
        quantize_q45k_block(x, params, y[i].d, y[i].dmin, y[i].scales, L);
        for (int c = 0; c < kQK_K / 64; ++c)
            for (int l = 0; l < 32; ++l)
                y[i].qs[32 * c + l] = static_cast<uint8_t>(L[64 * c + l] | (L[64 * c + l + 32] << 4));
    }
}

void quantize(const float* x, BlockQ5_K* y, int64_t nblocks) {
    const KParams params{31, {-0.5f, 0.1f, 15}};
    uint8_t L[kQK_K];
    for (int64_t i = 0; i < nblocks; ++i, x += kQK_K) {
        quantize_q45k_block(x, params, y[i].d, y[i].dmin, y[i].scales, L);
        std::memset(y[i].qh, 0, sizeof(y[i].qh));
        for (int c = 0; c < kQK_K / 64; ++c) {
            const auto m1 = static_cast<uint8_t>(1u << (2 * c));
            const auto m2 = static_cast<uint8_t>(2u << (2 * c));
            for (int l = 0; l < 32; ++l) {
                const int l1 = L[64 * c + l];
                const int l2 = L[64 * c + l + 32];
                if (l1 > 15) y[i].qh[l] = static_cast<uint8_t>(y[i].qh[l] | m1);
                if (l2 > 15) y[i].qh[l] = static_cast<uint8_t>(y[i].qh[l] | m2);
                y[i].qs[32 * c + l] = static_cast<uint8_t>((l1 & 0xF) | ((l2 & 0xF) << 4));
            }
        }
    }
}

void quantize(const float* x, BlockQ6_K* y, int64_t nblocks) {
    int8_t L[kQK_K];
    float sub_scales[kQK_K / 16];
    for (int64_t i = 0; i < nblocks; ++i, x += kQK_K) {
        float max_scale = 0;
        float max_abs_scale = 0;
        for (int ib = 0; ib < kQK_K / 16; ++ib) {
            sub_scales[ib] = make_qx_quants(16, 32, x + 16 * ib, L + 16 * ib);
            if (std::fabs(sub_scales[ib]) > max_abs_scale) {
                max_abs_scale = std::fabs(sub_scales[ib]);
                max_scale = sub_scales[ib];
            }
        }
        if (max_abs_scale < kGroupMaxEps) {
            std::memset(&y[i], 0, sizeof(BlockQ6_K));
            continue;
        }
        const float iscale = -128.f / max_scale;
        y[i].d = f32_to_fp16(1 / iscale);
        for (int ib = 0; ib < kQK_K / 16; ++ib)
            y[i].scales[ib] = static_cast<int8_t>(std::min(127, nearest_int(iscale * sub_scales[ib])));
        for (int j = 0; j < kQK_K / 16; ++j) {
            const float d = fp16_to_f32(y[i].d) * static_cast<float>(y[i].scales[j]);
            if (d == 0.0f) continue;  // keeps the levels of the sub-block fit, as ggml does
            for (int ii = 0; ii < 16; ++ii)
                L[16 * j + ii] = static_cast<int8_t>(clamp_int(nearest_int(x[16 * j + ii] / d), -32, 31) + 32);
        }
        for (int h = 0; h < kQK_K / 128; ++h) {
            const int8_t* Lh = L + 128 * h;
            uint8_t* ql = y[i].ql + 64 * h;
            uint8_t* qh = y[i].qh + 32 * h;
            for (int l = 0; l < 32; ++l) {
                ql[l] = static_cast<uint8_t>((Lh[l] & 0xF) | ((Lh[l + 64] & 0xF) << 4));
                ql[l + 32] = static_cast<uint8_t>((Lh[l + 32] & 0xF) | ((Lh[l + 96] & 0xF) << 4));
                qh[l] = static_cast<uint8_t>((Lh[l] >> 4) | ((Lh[l + 32] >> 4) << 2) | ((Lh[l + 64] >> 4) << 4) |
                                             ((Lh[l + 96] >> 4) << 6));
            }
        }
    }
}

// quantize_row_q8_K_ref: scale by the signed absolute maximum so that element maps to -127 exactly.
// ggml leaves bsums stale in an all-zero block; they are zeroed here (equal for any fresh block).
void quantize(const float* x, BlockQ8_K* y, int64_t nblocks) {
    for (int64_t i = 0; i < nblocks; ++i, x += kQK_K) {
        float max = 0;
        float amax = 0;
        for (int j = 0; j < kQK_K; ++j) {
            if (std::fabs(x[j]) > amax) {
                amax = std::fabs(x[j]);
                max = x[j];
            }
        }
        if (amax == 0.0f) {
            std::memset(&y[i], 0, sizeof(BlockQ8_K));
            continue;
        }
        const float iscale = -127.f / max;
        for (int j = 0; j < kQK_K; ++j) y[i].qs[j] = static_cast<int8_t>(std::min(127, nearest_int(iscale * x[j])));
        for (int j = 0; j < kQK_K / 16; ++j) {
            int sum = 0;
            for (int ii = 0; ii < 16; ++ii) sum += y[i].qs[16 * j + ii];
            y[i].bsums[j] = static_cast<int16_t>(sum);
        }
        y[i].d = 1 / iscale;
    }
}

}  // namespace hearth::ref
