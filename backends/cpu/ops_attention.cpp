// Attention over the f16 KV cache with ggml's roundings: q is rounded to f16 before Q.K, dot
// products of f16 values accumulate float products in double, the softmax sum is taken in double,
// and probabilities are rounded to f16 before multiplying V.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/cpu_kv_cache.h"
#include "core/error.h"
#include "core/quant/half.h"

namespace hearth::cpu {
namespace {

CpuKvCache& as_cpu(KvCache& cache) {
    auto* cpu = dynamic_cast<CpuKvCache*>(&cache);
    require(cpu != nullptr, ErrorKind::internal, "CPU backend given another backend's KV cache");
    return *cpu;
}

float round_f16(float x) { return fp16_to_f32(f32_to_fp16(x)); }

}  // namespace

void CpuBackend::kv_store(KvCache& cache, int32_t layer, Tensor k, Tensor v, const BatchRows& rows) {
    CpuKvCache& kv = as_cpu(cache);
    require(k.cols == kv.kv_dim() && v.cols == kv.kv_dim() && k.rows == v.rows &&
                k.rows == static_cast<int64_t>(rows.positions.size()),
            ErrorKind::internal, "kv_store: shape mismatch");
    for (int64_t r = 0; r < k.rows; ++r) {
        const int32_t pos = rows.positions[r];
        require(pos >= 0 && pos < kv.capacity(), ErrorKind::bad_request,
                "position " + std::to_string(pos) + " exceeds the context size " + std::to_string(kv.capacity()));
        uint16_t* kd = kv.key(layer, pos);
        uint16_t* vd = kv.value(layer, pos);
        for (int64_t i = 0; i < k.cols; ++i) {
            kd[i] = f32_to_fp16(k.data[r * k.cols + i]);
            vd[i] = f32_to_fp16(v.data[r * v.cols + i]);
        }
    }
}

void CpuBackend::attention(KvCache& cache, int32_t layer, Tensor q, const BatchRows& rows,
                           const AttentionParams& p, Tensor out) {
    CpuKvCache& kv = as_cpu(cache);
    require(p.n_head > 0 && p.n_head_kv > 0 && p.n_head % p.n_head_kv == 0 &&
                q.cols == static_cast<int64_t>(p.n_head) * p.head_dim && out.rows == q.rows && out.cols == q.cols &&
                kv.kv_dim() == p.n_head_kv * p.head_dim && q.rows == static_cast<int64_t>(rows.positions.size()),
            ErrorKind::internal, "attention: shape mismatch");
    const int32_t group = p.n_head / p.n_head_kv;
    pool_.parallel_for(q.rows * p.n_head, [&](int64_t task) {
        const int64_t r = task / p.n_head;
        const int32_t h = static_cast<int32_t>(task % p.n_head);
        const int32_t kvh = h / group;
        const int32_t pos = rows.positions[r];
        const int32_t first = p.sliding_window > 0 ? std::max(0, pos - p.sliding_window + 1) : 0;
        const int32_t n_keys = pos - first + 1;

        std::vector<float> q16(p.head_dim);
        const float* qrow = q.data + r * q.cols + static_cast<int64_t>(h) * p.head_dim;
        for (int32_t d = 0; d < p.head_dim; ++d) q16[d] = round_f16(qrow[d]);

        std::vector<double> dots(n_keys);
        const uint16_t* keys = kv.key(layer, first) + kvh * p.head_dim;
        if (attention_kernels_.dots_f16) {
            attention_kernels_.dots_f16(q16.data(), keys, kv.kv_dim(), n_keys, p.head_dim, dots.data());
        } else {
            for (int32_t j = 0; j < n_keys; ++j) {
                const uint16_t* key = keys + static_cast<int64_t>(j) * kv.kv_dim();
                double dot = 0.0;
                for (int32_t d = 0; d < p.head_dim; ++d) dot += static_cast<double>(q16[d] * fp16_to_f32(key[d]));
                dots[j] = dot;
            }
        }
        std::vector<float> scores(n_keys);
        float max_score = -std::numeric_limits<float>::infinity();
        for (int32_t j = 0; j < n_keys; ++j) {
            scores[j] = static_cast<float>(dots[j]) * p.scale;
            max_score = std::max(max_score, scores[j]);
        }
        double sum = 0.0;
        for (float& s : scores) {
            s = std::exp(s - max_score);
            sum += s;
        }
        const float inv_sum = static_cast<float>(1.0 / sum);

        std::vector<double> acc(p.head_dim, 0.0);
        for (int32_t j = 0; j < n_keys; ++j) {
            const float prob = round_f16(scores[j] * inv_sum);
            const uint16_t* value = kv.value(layer, first + j) + kvh * p.head_dim;
            if (attention_kernels_.axpy_f16) {
                attention_kernels_.axpy_f16(acc.data(), prob, value, p.head_dim);
            } else {
                for (int32_t d = 0; d < p.head_dim; ++d) acc[d] += static_cast<double>(prob * fp16_to_f32(value[d]));
            }
        }
        float* orow = out.data + r * out.cols + static_cast<int64_t>(h) * p.head_dim;
        for (int32_t d = 0; d < p.head_dim; ++d) orow[d] = static_cast<float>(acc[d]);
    });
}

}  // namespace hearth::cpu
