#pragma once
// The CPU backend: weights stay in the memory-mapped file, ops run on a persistent thread pool.
// This is the plain reference implementation; its numerics follow ggml's CPU path (activations
// quantized to the weight's dot type, f16 KV cache, f16 rounding where ggml rounds) so that
// outputs match llama.cpp token for token.
#include <memory>
#include <vector>

#include "backends/backend.h"
#include "backends/cpu/arena.h"
#include "backends/cpu/thread_pool.h"

namespace hearth::cpu {

struct CpuOptions {
    int n_threads = 0;  // 0: one per hardware thread
};

class CpuBackend final : public Backend {
public:
    explicit CpuBackend(const CpuOptions& options);

    std::string_view name() const override { return "cpu"; }
    std::string device_description() const override;

    Weight upload(const gguf::TensorInfo& tensor) override;
    std::unique_ptr<KvCache> create_kv_cache(int32_t n_layer, int32_t capacity, int32_t kv_dim) override;

    void begin_step() override { arena_.reset(); }
    Tensor alloc(int64_t rows, int64_t cols) override;

    void embed(const Weight& table, std::span<const int32_t> tokens, Tensor out) override;
    void rms_norm(Tensor x, const Weight& weight, float eps, Tensor out) override;
    void matmul(const Weight& w, Tensor x, Tensor out) override;
    void add_bias(Tensor x, const Weight& bias) override;
    void add(Tensor a, Tensor b, Tensor out) override;
    void scale(Tensor x, float factor) override;
    void softcap(Tensor x, float cap) override;
    void rope(Tensor x, int32_t head_dim, const BatchRows& rows, const RopeParams& params) override;
    void kv_store(KvCache& cache, int32_t layer, Tensor k, Tensor v, const BatchRows& rows) override;
    void attention(KvCache& cache, int32_t layer, Tensor q, const BatchRows& rows,
                   const AttentionParams& params, Tensor out) override;
    void swiglu(Tensor gate, Tensor up, Tensor out) override;
    void gelu_glu(Tensor gate, Tensor up, Tensor out) override;
    void gather_rows(Tensor x, std::span<const int32_t> rows, Tensor out) override;
    void read(Tensor x, std::span<float> host) override;

    ThreadPool& pool() { return pool_; }

private:
    ThreadPool pool_;
    Arena arena_;
    std::vector<uint8_t> act_scratch_;  // activations quantized to the weights' dot type
};

}  // namespace hearth::cpu
