#pragma once
// The CPU backend: weights stay in the memory-mapped file, ops run on a persistent thread pool.
// Matmul dots use SIMD kernels chosen at construction (backends/cpu/kernels), bit-identical to the
// scalar reference. Numerics follow ggml's CPU path (activations quantized to the weight's dot type,
// f16 KV cache, f16 rounding where ggml rounds) so that outputs match llama.cpp token for token.
#include <memory>
#include <vector>

#include "backends/backend.h"
#include "backends/cpu/arena.h"
#include "backends/cpu/kernels/attention_kernels.h"
#include "backends/cpu/kernels/dot_kernels.h"
#include "backends/cpu/kernels/isa.h"
#include "backends/cpu/thread_pool.h"

namespace hearth::cpu {

struct CpuOptions {
    int n_threads = 0;  // 0: one per hardware thread
    // Kernels' instruction set; automatic defers to HEARTH_CPU_ISA (scalar|avx2|avx512), then to
    // the best the CPU has. An instruction set the CPU lacks throws Error(unsupported).
    IsaRequest isa = IsaRequest::automatic;
};

class CpuBackend final : public Backend {
public:
    explicit CpuBackend(const CpuOptions& options);

    std::string_view name() const override { return "cpu"; }
    std::string device_description() const override;

    Weight upload(const gguf::TensorInfo& tensor) override;
    std::unique_ptr<KvPages> create_kv_pages(const KvLayout& layout) override;
    void copy_kv_page(KvPages& pages, int32_t from, int32_t to) override;

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
    void kv_store(KvPages& pages, int32_t layer, Tensor k, Tensor v, const BatchRows& rows) override;
    void attention(KvPages& pages, int32_t layer, Tensor q, const BatchRows& rows,
                   const AttentionParams& params, Tensor out) override;
    void swiglu(Tensor gate, Tensor up, Tensor out) override;
    void gelu_glu(Tensor gate, Tensor up, Tensor out) override;
    void gather_rows(Tensor x, std::span<const int32_t> rows, Tensor out) override;
    void read(Tensor x, std::span<float> host) override;

    ThreadPool& pool() { return pool_; }
    Isa isa() const { return isa_; }

private:
    Isa isa_;
    DotKernels dot_kernels_;  // fast dots for isa_; null entries fall back to the reference
    AttentionKernels attention_kernels_;  // likewise for attention
    ThreadPool pool_;
    Arena arena_;
    std::vector<uint8_t> act_scratch_;  // activations quantized to the weights' dot type
    std::vector<uint8_t> act_blocks_;       // their description for the GEMM kernels
    std::vector<uint8_t> panel_scratch_;    // one repacked weight panel per thread (GEMM kernels)
    struct FreeDeleter {
        void operator()(uint8_t* p) const { std::free(p); }
    };
    std::vector<std::unique_ptr<uint8_t[], FreeDeleter>> repacked_;  // weights in kPanelLayout

    // Weight in kPanelLayout (see upload), or the file's layout when its type has no panel kernel.
    void repack(const gguf::TensorInfo& tensor, Weight& weight);
    void describe_acts(const Weight& w, const uint8_t* acts, uint64_t act_stride, int64_t rows);
    // One 64-byte aligned GEMM panel per worker in panel_scratch_ (none: every of() is null).
    struct ScratchPanels {
        uint8_t* first = nullptr;
        uint64_t bytes = 0;
        uint8_t* of(int worker) const { return first ? first + bytes * static_cast<uint64_t>(worker) : nullptr; }
    };
    ScratchPanels scratch_panels(DType weight_type, int64_t nblocks);
    void panel_matmul(GemmKernel kernel, const Weight& w, const uint8_t* acts, uint64_t act_stride, Tensor out);

    std::vector<float> half_acts_;          // activations rounded to f16 / bf16 (half_matmul)

    void gemm(GemmKernel kernel, const Weight& w, const uint8_t* acts, uint64_t act_stride, Tensor out);
    void half_matmul(const Weight& w, Tensor x, Tensor out, F16DotsKernel dots);  // ops_matmul_half.cpp
};

}  // namespace hearth::cpu
