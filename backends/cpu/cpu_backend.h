#pragma once
// The CPU backend: weights stay in the memory-mapped file, ops run on a persistent thread pool.
// Matmul dots use SIMD kernels chosen at construction (backends/cpu/kernels), bit-identical to the
// scalar reference. Numerics follow ggml's CPU path (activations quantized to the weight's dot type,
// f16 KV cache, f16 rounding where ggml rounds) so that outputs match llama.cpp token for token.
// Unless CpuOptions::exact, matmuls over K-type weights take Hearth's blockwise sums instead,
// and softmax, P.V and SwiGLU float vector math (kernels/fast_math.h).
#include <memory>
#include <span>
#include <vector>

#include "backends/backend.h"
#include "backends/cpu/arena.h"
#include "backends/cpu/callables.h"
#include "backends/cpu/huge_page_memory.h"
#include "backends/cpu/kernels/attention_kernels.h"
#include "backends/cpu/kernels/dot_kernels.h"
#include "backends/cpu/kernels/fast_math.h"
#include "backends/cpu/kernels/isa.h"
#include "backends/cpu/shared_ranges.h"
#include "backends/cpu/thread_pool.h"

namespace hearth::cpu {

class CpuKvPages;

struct CpuOptions {
    int n_threads = 0;  // 0: default_threads() (cpu_threads.h): one per physical core this process may use
    // Kernels' instruction set; automatic defers to HEARTH_CPU_ISA (scalar|avx2|avx512), then to
    // the best the CPU has. An instruction set the CPU lacks throws Error(unsupported).
    IsaRequest isa = IsaRequest::automatic;
    // Every op in ggml's portable arithmetic, bit for bit and in every batch (what the llama.cpp
    // goldens are compared with). Off, matmuls over K-type weights take the faster blockwise dot
    // (ref::dot_blockwise) at every batch size, and softmax, P.V and SwiGLU float vector math, where
    // an instruction set has them (docs/architecture.md).
    bool exact = false;
};

// The most weights one matmuls() job converts its input for and runs at once (more run in groups).
constexpr std::size_t kMaxMatmulTargets = 4;

// One weight's share of a matmuls() job: n_units units of work (panel calls, rows), which
// run_units(begin, end, worker) runs by contiguous runs; task t of n_tasks is the t-th run.
struct MatmulPart {
    int64_t n_tasks = 0;
    int64_t n_units = 0;
    InplaceFunction<void(int64_t begin, int64_t end, int worker), 256> run_units;

    UnitRange range(int64_t task) const { return {n_units * task / n_tasks, n_units * (task + 1) / n_tasks}; }
    void run(int64_t task, int worker) const {
        const UnitRange units = range(task);
        run_units(units.begin, units.end, worker);
    }
};

class CpuBackend final : public Backend {
public:
    explicit CpuBackend(const CpuOptions& options);

    std::string_view name() const override { return "cpu"; }
    std::string device_description() const override;

    Weight upload(const gguf::TensorInfo& tensor) override;
    std::unique_ptr<KvPages> create_kv_pages(const KvLayout& layout) override;
    void copy_kv_page(KvPages& pages, int32_t from, int32_t to) override;

    void begin_step() override {
        arena_.reset();
        step_rope_angles_.clear();
        upcoming_weights_.clear();
    }
    Tensor alloc(int64_t rows, int64_t cols) override;
    ActivationMark activation_mark() override {
        const Arena::Mark mark = arena_.mark();
        return {mark.block, mark.used};
    }
    void release_to(ActivationMark mark) override { arena_.release_to({mark.block, mark.offset}); }

    void embed(const Weight& table, std::span<const int32_t> tokens, Tensor out) override;
    void prefetch(const Weight& w) override;
    void rms_norm(Tensor x, const Weight& weight, float eps, Tensor out) override;
    void matmul(const Weight& w, Tensor x, Tensor out) override;
    void matmuls(Tensor x, std::span<const MatmulTarget> targets) override;
    void add_bias(Tensor x, const Weight& bias) override;
    void add(Tensor a, Tensor b, Tensor out) override;
    void scale(Tensor x, float factor) override;
    void softcap(Tensor x, float cap) override;
    void rope(Tensor x, int32_t head_dim, const BatchRows& rows, const RopeParams& params) override;
    void kv_store(KvPages& pages, int32_t layer, Tensor k, Tensor v, const BatchRows& rows) override;
    void attention(KvPages& pages, int32_t layer, Tensor q, const BatchRows& rows,
                   const AttentionParams& params, Tensor out) override;
    void self_attention(Tensor h, const SelfAttention& s, KvPages& pages, int32_t layer, const BatchRows& rows,
                        Tensor out) override;
    void swiglu(Tensor gate, Tensor up, Tensor out) override;
    void matmul_swiglu(const Weight& gate, const Weight& up, Tensor x, Tensor out) override;
    void gelu_glu(Tensor gate, Tensor up, Tensor out) override;
    void gather_rows(Tensor x, std::span<const int32_t> rows, Tensor out) override;
    void read(Tensor x, std::span<float> host) override;
    Tensor alloc_for_read(std::span<float> host, int64_t rows, int64_t cols) override;

    ThreadPool& pool() { return pool_; }
    Isa isa() const { return isa_; }

private:
    Isa isa_;
    bool exact_;
    DotKernels dot_kernels_;  // fast dots for isa_; null entries fall back to the reference
    AttentionKernels attention_kernels_;  // likewise for attention
    FastMathKernels fast_math_;  // not bit-exact: only without exact_
    ThreadPool pool_;
    Arena arena_;
    std::vector<uint8_t> act_scratch_;     // matmul inputs converted to the weights' dot types
    std::vector<uint8_t> act_blocks_;      // their description for the GEMM and panel kernels
    std::vector<uint8_t> panel_scratch_;   // one expanded weight panel per thread (GEMM kernels)
    // One attention task's rows, per thread: reused, since a decode step runs hundreds of tasks.
    struct AttentionScratch {
        std::vector<float> q16, probs, key;
        std::vector<double> dots, acc;
    };
    std::vector<AttentionScratch> attention_scratch_;
    std::vector<float> flash_partials_;  // a decode row's chunks (attention_flash.h), per chunk and head
    // Matrices named by prefetch() since the last job: the next decode job's threads read ahead
    // their shares of them (hand_out_read_ahead).
    struct Bytes {
        const uint8_t* data = nullptr;
        uint64_t size = 0;
    };
    FixedVector<Bytes, ThreadPool::kMaxReadAhead> upcoming_weights_;
    // Gives each thread its share of upcoming_weights_ to read ahead in the next job (a decode job,
    // which splits every matrix into one range per thread) and forgets them.
    void hand_out_read_ahead();
    // Decode jobs' ranges, which a thread done with its own takes from the back of (shared_ranges.h),
    // and the job count that tags them.
    SharedRanges decode_ranges_;
    uint16_t decode_jobs_ = 0;
    void run_decode_share(std::span<const MatmulPart> parts, int thread, int worker, uint16_t tag);

    // values[i] = f16(values[i]): what ggml's f16 cache and q rounding do.
    void round_to_f16(float* values, int64_t n) const;
    // One row of rms_norm: n = weight.in values (ops_elementwise.cpp).
    void norm_row(const float* src, const Weight& weight, float eps, float* dst) const;
    // n keys or values as a cache slot stores them: F16, or quantized to the pages' type.
    void store_kv_values(const float* values, uint8_t* slot, int64_t n, DType type) const;
    // The default arithmetic's flash tile kernel for these pages and heads, or null (ops_attention.cpp).
    FlashTileKernel flash_kernel(DType kv_type, int32_t head_dim) const;
    // The RoPE angles of a step's rows (rows x n_dims floats, rope_angles' layout), computed once
    // per step, positions and RoPE: every layer needs them for q and k (Gemma 3 alternates two
    // RoPEs), and computing them costs ~0.7 us a row (ops_rope.cpp). Forgotten at each step.
    struct RopeAngles {
        RopeParams params;
        std::vector<int32_t> positions;
        std::vector<float> cos_sin;
    };
    std::vector<RopeAngles> step_rope_angles_;
    const float* step_rope_angles(const RopeParams& p, std::span<const int32_t> positions);
    // Whether decode's self-attention can run as one job per share of the heads (ops_self_attention.cpp).
    bool splits_by_heads(Tensor h, const SelfAttention& s, const CpuKvPages& kv, const BatchRows& rows) const;
    // A decode row's attention in the default arithmetic when it spans two chunks of keys or more:
    // its (KV group, chunk) pairs shared among the threads, even in keys, so that every key and value
    // is read once however the groups divide among the threads (sharing SmolLM2's 3 groups' heads
    // between 2 threads read one group twice); the calling thread then merges each head's chunks in
    // order. False, with nothing done, for a shorter row (ops_attention.cpp).
    bool flash_decode(FlashTileKernel flash, CpuKvPages& kv, int32_t layer, Tensor q, const BatchRows& rows,
                      const AttentionParams& p, Tensor out);
    HugePageMemory weight_memory_;  // every matrix (see place)

    // A matrix's copy in weight_memory_: in kPanelLayout, or the file's layout when its type has no
    // panel kernel.
    void place(const gguf::TensorInfo& tensor, Weight& weight);

    // One GEMM panel of `bytes` per worker (none: every of() is null).
    struct ScratchPanels {
        uint8_t* first = nullptr;
        uint64_t bytes = 0;
        uint8_t* of(int worker) const { return first ? first + bytes * static_cast<uint64_t>(worker) : nullptr; }
    };
    // What one matmuls() call's weights read (ops_matmul.cpp): the input per dot type, its
    // description per weight type, and the per-thread panels.
    struct MatmulInputs {
        struct Slot {
            DType type;
            uint64_t offset = 0;
            uint64_t stride = 0;  // bytes per activation row
            uint8_t* data = nullptr;
            KActForm form = KActForm::lanes;  // of a K-type description
        };
        FixedVector<Slot, kMaxMatmulTargets> acts;          // by dot type
        FixedVector<Slot, kMaxMatmulTargets> descriptions;  // by weight type and form
        ScratchPanels panels;
        const Slot* act(DType type) const {
            for (const Slot& slot : acts)
                if (slot.type == type) return &slot;
            return nullptr;
        }
        const Slot* description(DType type, KActForm form) const {
            for (const Slot& slot : descriptions)
                if (slot.type == type && slot.form == form) return &slot;
            return nullptr;
        }
    };
    // At most kMaxMatmulTargets targets.
    MatmulInputs convert_inputs(Tensor x, std::span<const MatmulTarget> targets);
    void convert(Tensor x, const MatmulInputs::Slot& slot);
    F16DotsKernel half_dots(DType type) const;
    bool packs_halves(DType type) const;
    GemmKernel gemm_kernel(const Weight& w, int64_t rows) const;
    GemmKernel blockwise_kernel(const Weight& w) const;
    KActForm act_form(const Weight& w, int64_t rows) const;
    MatmulPart plan(const Weight& w, int64_t act_rows, const MatmulInputs& inputs, Tensor out) const;
    MatmulPart panel_part(GemmKernel kernel, int panels_per_call, const Weight& w, const MatmulInputs::Slot& acts, const uint8_t* blocks,
                          Tensor out, ScratchPanels scratch, const Weight* up = nullptr) const;
    MatmulPart gemm_part(GemmKernel kernel, const Weight& w, const MatmulInputs::Slot& acts, const uint8_t* blocks,
                         Tensor out, ScratchPanels scratch) const;
    // Weight rows [begin, end) of w for one activation row, into out (end - begin floats): the same
    // outputs as the whole matmul's rows; begin and end are whole panels where w is repacked.
    MatmulPart plan_rows(const Weight& w, int64_t begin, int64_t end, const MatmulInputs& inputs, float* out) const;
    MatmulPart row_part(const Weight& w, const MatmulInputs::Slot& acts, Tensor out) const;
    // F16 / BF16 weights: the lanes or pairs kernels where packs_halves, else the exact `dots`.
    MatmulPart half_part(const Weight& w, const MatmulInputs::Slot& acts, int64_t act_rows, Tensor out,
                         F16DotsKernel dots, ScratchPanels scratch) const;  // ops_matmul_half.cpp
    static uint64_t lanes_scratch_bytes(const Weight& w);  // ops_matmul_half.cpp: a batch's per-thread scratch
};

}  // namespace hearth::cpu
