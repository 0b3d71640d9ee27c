#pragma once
// The device-neutral op set that model code is written against. A backend owns weight storage,
// activation memory and the KV cache; model code only passes handles around and never touches
// their bytes, so the same forward pass runs on the CPU, Vulkan or CUDA.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/gguf/gguf_file.h"
#include "core/quant/dtype.h"

namespace hearth {

// A weight matrix [out, in] (GGUF shape [in, out]) or a vector [in] (out == 1), as uploaded.
struct Weight {
    DType type = DType::F32;
    int64_t in = 0;
    int64_t out = 1;
    const void* data = nullptr;  // backend-owned storage (host memory on the CPU backend)
    int32_t layout = 0;          // how the backend stores it: 0 = the file's block layout
};

// A dense f32 activation [rows, cols], row-major and contiguous, living on the backend.
struct Tensor {
    float* data = nullptr;
    int64_t rows = 0;
    int64_t cols = 0;
    int64_t size() const { return rows * cols; }
};

// The same memory seen with another row length (cols must divide rows*cols evenly).
inline Tensor reshape(Tensor t, int64_t cols) {
    require(cols > 0 && t.size() % cols == 0, ErrorKind::internal, "reshape: size not divisible");
    return Tensor{t.data, t.size() / cols, cols};
}

enum class RopeStyle { normal, neox };  // pairs (2i, 2i+1) versus (i, i + dims/2)

struct RopeParams {
    RopeStyle style = RopeStyle::normal;
    int32_t n_dims = 0;          // rotated dimensions per head (<= head_dim)
    float freq_base = 10000.0f;
    float freq_scale = 1.0f;     // 1 / linear scaling factor
    const Weight* freq_factors = nullptr;  // per-pair divisors (Llama 3.1 style), or null
};

// Where each row of a step's batch sits: its sequence and position, and every sequence's block
// table (the KV pages holding its positions 0, page_size, 2*page_size, ... in order). Rows of one
// sequence come in position order; a row attends to its sequence's keys up to its own position.
struct BatchRows {
    std::span<const int32_t> positions;                       // per row
    std::span<const int32_t> sequences;                       // per row: index into block_tables
    std::span<const std::span<const int32_t>> block_tables;   // per sequence in the batch
};

struct AttentionParams {
    int32_t n_head = 0;
    int32_t n_head_kv = 0;
    int32_t head_dim = 0;
    float scale = 1.0f;
    int32_t sliding_window = 0;  // 0: full causal attention; else keys within this many positions
};

// The shape of a backend's KV storage: n_pages pages of page_size token slots, each slot holding
// kv_dim keys and kv_dim values (kv_dim / head_dim KV heads) for every layer, as F16 (the default,
// what ggml uses) or Q8_0 (half the memory; each head's dimensions must be whole 32-value blocks).
struct KvLayout {
    int32_t n_layer = 0;
    int32_t kv_dim = 0;
    int32_t page_size = 16;
    int32_t n_pages = 0;
    DType type = DType::F16;
    int32_t head_dim = 0;  // one KV head's width: the CPU backend keeps each head's slots side by side
    int64_t slot_bytes() const { return static_cast<int64_t>(row_bytes(dtype_info(type), kv_dim)); }
    int64_t bytes() const { return 2LL * n_layer * slot_bytes() * page_size * n_pages; }
};

// Key/value pages on the backend; which page holds which positions is core/kv's business.
class KvPages {
public:
    virtual ~KvPages() = default;
    virtual const KvLayout& layout() const = 0;
};

// A position in a backend's activation memory (Backend::activation_mark).
struct ActivationMark {
    uint64_t block = 0;
    uint64_t offset = 0;
};

// One product of Backend::matmuls: out = w x for the call's shared x.
struct MatmulTarget {
    const Weight* w;
    Tensor out;
};

// A decoder layer's attention up to its output projection (Backend::self_attention): the Q, K and
// V projections of the normalised input, then the optional biases and per-head RMS norms (eps
// norm_eps), RoPE of q and k, q times query_scale, keys and values stored, and attention.
struct SelfAttention {
    const Weight* wq = nullptr;
    const Weight* wk = nullptr;
    const Weight* wv = nullptr;
    const Weight* bq = nullptr;
    const Weight* bk = nullptr;
    const Weight* bv = nullptr;
    const Weight* q_norm = nullptr;
    const Weight* k_norm = nullptr;
    float norm_eps = 0.0f;
    RopeParams rope;
    float query_scale = 1.0f;
    AttentionParams attention;
};

class Backend {
public:
    virtual ~Backend() = default;
    virtual std::string_view name() const = 0;
    virtual std::string device_description() const = 0;

    // Copies (or maps) a GGUF tensor into backend storage. Throws Error(unsupported) for types it
    // cannot compute with.
    virtual Weight upload(const gguf::TensorInfo& tensor) = 0;
    // Throws Error(out_of_memory) when the pages do not fit.
    virtual std::unique_ptr<KvPages> create_kv_pages(const KvLayout& layout) = 0;
    // Copies every layer's keys and values of one page to another (copy-on-write).
    virtual void copy_kv_page(KvPages& pages, int32_t from, int32_t to) = 0;

    // Activation memory for one step; everything is released by begin_step().
    virtual void begin_step() = 0;
    virtual Tensor alloc(int64_t rows, int64_t cols) = 0;
    // Where activation memory stands; release_to(mark) lets the backend reuse what was allocated
    // since (a layer's intermediates, dead once the layer is done). This default keeps everything
    // until begin_step().
    virtual ActivationMark activation_mark() { return {}; }
    virtual void release_to(ActivationMark mark) { (void)mark; }

    // A hint that w is read soon, by an op that follows the next matmul (a norm's or a bias's weight,
    // or the matrix of the matmul after the next one): a backend whose memory sits behind caches may
    // start fetching it so that the op does not wait on memory. This default does nothing.
    virtual void prefetch(const Weight& w) { (void)w; }

    virtual void embed(const Weight& table, std::span<const int32_t> tokens, Tensor out) = 0;
    // Normalises each row of x (of length x.cols) and multiplies by weight (length x.cols).
    virtual void rms_norm(Tensor x, const Weight& weight, float eps, Tensor out) = 0;
    // out[r, o] = sum_i w[o, i] * x[r, i]
    virtual void matmul(const Weight& w, Tensor x, Tensor out) = 0;
    // Several weights of the same input (the Q, K and V projections; gate and up): each output equals
    // matmul(*t.w, x, t.out) bit for bit. A backend may convert x once and run the products as one
    // job; this default runs them one by one.
    virtual void matmuls(Tensor x, std::span<const MatmulTarget> targets) {
        for (const MatmulTarget& t : targets) matmul(*t.w, x, t.out);
    }
    virtual void add_bias(Tensor x, const Weight& bias) = 0;
    virtual void add(Tensor a, Tensor b, Tensor out) = 0;
    virtual void scale(Tensor x, float factor) = 0;
    virtual void softcap(Tensor x, float cap) = 0;  // x = cap * tanh(x / cap)
    // x is [rows, n_heads * head_dim]; rotates each head's first n_dims dimensions in place.
    virtual void rope(Tensor x, int32_t head_dim, const BatchRows& rows, const RopeParams& params) = 0;
    // Stores each row's keys and values at its position in its sequence's pages.
    virtual void kv_store(KvPages& pages, int32_t layer, Tensor k, Tensor v, const BatchRows& rows) = 0;
    // Causal attention of q [rows, n_head*head_dim] over each row's sequence's keys up to its
    // position (within the sliding window if there is one). A row's result never depends on the
    // other rows of the batch.
    virtual void attention(KvPages& pages, int32_t layer, Tensor q, const BatchRows& rows,
                           const AttentionParams& params, Tensor out) = 0;
    // The ops of SelfAttention in its order over h (normalised rows), attention's result in out; a
    // backend may run them as fewer jobs with the same results (the CPU: one per share of the heads
    // in decode). This default runs them one by one.
    virtual void self_attention(Tensor h, const SelfAttention& s, KvPages& pages, int32_t layer, const BatchRows& rows,
                                Tensor out) {
        const int32_t head_dim = s.attention.head_dim;
        const Tensor q = alloc(h.rows, s.wq->out), k = alloc(h.rows, s.wk->out), v = alloc(h.rows, s.wv->out);
        const MatmulTarget qkv[] = {{s.wq, q}, {s.wk, k}, {s.wv, v}};
        matmuls(h, qkv);
        if (s.bq) add_bias(q, *s.bq);
        if (s.bk) add_bias(k, *s.bk);
        if (s.bv) add_bias(v, *s.bv);
        if (s.q_norm) rms_norm(reshape(q, head_dim), *s.q_norm, s.norm_eps, reshape(q, head_dim));
        if (s.k_norm) rms_norm(reshape(k, head_dim), *s.k_norm, s.norm_eps, reshape(k, head_dim));
        rope(q, head_dim, rows, s.rope);
        rope(k, head_dim, rows, s.rope);
        if (s.query_scale != 1.0f) scale(q, s.query_scale);
        kv_store(pages, layer, k, v, rows);
        attention(pages, layer, q, rows, s.attention, out);
    }
    virtual void swiglu(Tensor gate, Tensor up, Tensor out) = 0;     // silu(gate) * up
    // out = swiglu of x's products with the gate and up weights (same shape): matmuls and swiglu
    // with the same results, which a backend may compute without storing the two products.
    virtual void matmul_swiglu(const Weight& gate, const Weight& up, Tensor x, Tensor out) {
        const Tensor up_out = alloc(x.rows, up.out);
        const MatmulTarget targets[] = {{&gate, out}, {&up, up_out}};
        matmuls(x, targets);
        swiglu(out, up_out, out);
    }
    virtual void gelu_glu(Tensor gate, Tensor up, Tensor out) = 0;   // gelu_tanh(gate) * up
    // out row i = x row rows[i] (picks the positions that need logits).
    virtual void gather_rows(Tensor x, std::span<const int32_t> rows, Tensor out) = 0;
    virtual void read(Tensor x, std::span<float> host) = 0;
    // A rows x cols tensor whose contents read() will deliver to `host` (rows * cols floats): a step's
    // logits. A backend whose tensors live in host memory hands out `host` itself, so that read()
    // copies nothing (the CPU backend: 1 MB a token with Gemma 3's vocabulary); the default allocates.
    virtual Tensor alloc_for_read(std::span<float> host, int64_t rows, int64_t cols) {
        (void)host;
        return alloc(rows, cols);
    }
};

}  // namespace hearth
