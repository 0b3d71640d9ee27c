// Decode's self-attention runs as one job per share of the query heads (ops_self_attention.cpp); it
// must give what the ops run one by one give (Backend::self_attention), bit for bit: the attention
// output and the keys and values stored. Head layouts of SmolLM2 (9 heads in 3 groups, which 2 threads
// split), Gemma 3 (one group; QK norm, a query scale, NeoX RoPE, a sliding window), Qwen 2 (biases,
// partial RoPE), multi-head attention, file-layout and F16 weights; F16 and Q8_0 pages; rows in the
// first chunk of keys and past it, two steps in a row; 2, 3 and 5 threads; every instruction set here.
#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/cpu_kv_pages.h"
#include "core/quant/quant.h"
#include "tests/cpu/isa_requests.h"

namespace hearth::cpu {
namespace {

constexpr int64_t kEmbd = 256;
constexpr int32_t kPageSize = 16;
constexpr int32_t kLayer = 1;  // of two, so that a layer's offset in the pages counts

struct Case {
    const char* name;
    int32_t n_head, n_head_kv, head_dim;
    DType weight_type;
    bool bias = false, qk_norm = false;
    float query_scale = 1.0f;
    RopeStyle style = RopeStyle::normal;
    int32_t rope_dims = 0;  // 0: the whole head
    int32_t window = 0;
};

const Case kCases[] = {
    {"smollm2", 9, 3, 64, DType::Q4_0},
    {"gemma3", 4, 1, 64, DType::Q4_K, false, true, 0.125f, RopeStyle::neox, 0, 100},
    {"qwen2", 8, 2, 32, DType::Q8_0, true, false, 1.0f, RopeStyle::neox, 16},
    {"mha, file layout", 6, 6, 48, DType::Q5_1},
    {"f16 weights", 6, 2, 64, DType::F16},
};

std::vector<float> normal_floats(int64_t n, float scale, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.0f, scale);
    std::vector<float> v(static_cast<size_t>(n));
    for (float& x : v) x = normal(rng);
    return v;
}

// The weights of one layer's attention, and the bytes and floats behind them.
struct Layer {
    std::vector<std::vector<uint8_t>> matrices;
    std::vector<std::vector<float>> vectors;
    Weight wq, wk, wv, bq, bk, bv, q_norm, k_norm;
    SelfAttention spec;

    Layer(CpuBackend& backend, const Case& c, std::mt19937& rng) {
        matrices.reserve(3);
        vectors.reserve(5);
        const int64_t kv_dim = static_cast<int64_t>(c.n_head_kv) * c.head_dim;
        wq = matrix(backend, "attn_q", c.weight_type, static_cast<int64_t>(c.n_head) * c.head_dim, rng);
        wk = matrix(backend, "attn_k", c.weight_type, kv_dim, rng);
        wv = matrix(backend, "attn_v", c.weight_type, kv_dim, rng);
        bq = vector(wq.out, 0.5f, rng);
        bk = vector(kv_dim, 0.5f, rng);
        bv = vector(kv_dim, 0.5f, rng);
        q_norm = vector(c.head_dim, 1.0f, rng);
        k_norm = vector(c.head_dim, 1.0f, rng);
        spec.wq = &wq;
        spec.wk = &wk;
        spec.wv = &wv;
        if (c.bias) {
            spec.bq = &bq;
            spec.bk = &bk;
            spec.bv = &bv;
        }
        if (c.qk_norm) {
            spec.q_norm = &q_norm;
            spec.k_norm = &k_norm;
        }
        spec.norm_eps = 1e-6f;
        spec.rope = RopeParams{c.style, c.rope_dims > 0 ? c.rope_dims : c.head_dim, 10000.0f, 1.0f, nullptr};
        spec.query_scale = c.query_scale;
        spec.attention = AttentionParams{c.n_head, c.n_head_kv, c.head_dim, 0.125f, c.window};
    }

    Weight matrix(CpuBackend& backend, const std::string& name, DType type, int64_t rows, std::mt19937& rng) {
        const std::vector<float> values = normal_floats(rows * kEmbd, 0.1f, rng);
        std::vector<uint8_t>& bytes = matrices.emplace_back(row_bytes(dtype_info(type), kEmbd) * static_cast<uint64_t>(rows));
        const uint64_t stride = row_bytes(dtype_info(type), kEmbd);
        for (int64_t r = 0; r < rows; ++r) quantize_row(type, values.data() + r * kEmbd, bytes.data() + r * stride, kEmbd);
        gguf::TensorInfo tensor;
        tensor.name = "blk.1." + name + ".weight";
        tensor.type = type;
        tensor.shape = {kEmbd, rows};
        tensor.nbytes = bytes.size();
        tensor.data = bytes.data();
        return backend.upload(tensor);
    }

    Weight vector(int64_t n, float scale, std::mt19937& rng) {
        const std::vector<float>& values = vectors.emplace_back(normal_floats(n, scale, rng));
        return Weight{DType::F32, n, 1, values.data(), 0};
    }
};

bool same_bytes(const void* a, const void* b, size_t n) { return std::memcmp(a, b, n) == 0; }

int float_mismatches(const std::vector<float>& a, const std::vector<float>& b) {
    int bad = 0;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::bit_cast<uint32_t>(a[i]) != std::bit_cast<uint32_t>(b[i])) ++bad;
    return bad;
}

// Runs `steps` decode rows from position `start` (earlier positions hold random keys and values)
// through the backend's self_attention and through the ops one by one, on pages given out in
// reverse order, and checks that outputs and stored slots agree.
void check_steps(CpuBackend& backend, const Case& c, const Layer& layer, DType kv_type, int32_t start, int32_t steps,
                 std::mt19937& rng) {
    const int32_t kv_dim = c.n_head_kv * c.head_dim;
    const int32_t n_pages = (start + steps + kPageSize - 1) / kPageSize;
    const KvLayout layout{2, kv_dim, kPageSize, n_pages, kv_type, c.head_dim};
    auto fused_pages = backend.create_kv_pages(layout);
    auto op_pages = backend.create_kv_pages(layout);
    std::vector<int32_t> table(static_cast<size_t>(n_pages));
    std::iota(table.rbegin(), table.rend(), 0);
    const std::span<const int32_t> table_span(table);
    std::vector<int32_t> positions(static_cast<size_t>(start)), sequences(static_cast<size_t>(start), 0);
    std::iota(positions.begin(), positions.end(), 0);
    if (start > 0) {
        std::vector<float> k = normal_floats(static_cast<int64_t>(start) * kv_dim, 1.0f, rng);
        std::vector<float> v = normal_floats(static_cast<int64_t>(start) * kv_dim, 1.0f, rng);
        const BatchRows history{positions, sequences, std::span(&table_span, 1)};
        for (KvPages* pages : {fused_pages.get(), op_pages.get()})
            backend.kv_store(*pages, kLayer, Tensor{k.data(), start, kv_dim}, Tensor{v.data(), start, kv_dim}, history);
    }
    const int64_t q_dim = static_cast<int64_t>(c.n_head) * c.head_dim;
    for (int32_t pos = start; pos < start + steps; ++pos) {
        const int32_t sequence = 0;
        const BatchRows row{std::span(&pos, 1), std::span(&sequence, 1), std::span(&table_span, 1)};
        std::vector<float> h = normal_floats(kEmbd, 1.0f, rng);
        std::vector<float> fused(static_cast<size_t>(q_dim), -1.0f), by_ops(fused.size(), -2.0f);
        backend.begin_step();
        backend.self_attention(Tensor{h.data(), 1, kEmbd}, layer.spec, *fused_pages, kLayer, row, Tensor{fused.data(), 1, q_dim});
        backend.Backend::self_attention(Tensor{h.data(), 1, kEmbd}, layer.spec, *op_pages, kLayer, row,
                                        Tensor{by_ops.data(), 1, q_dim});
        CAPTURE(pos);
        CHECK(float_mismatches(fused, by_ops) == 0);
        CpuKvPages& fused_kv = as_cpu(*fused_pages);
        CpuKvPages& op_kv = as_cpu(*op_pages);
        const int64_t slot = kv_slot(fused_kv, row, 0, pos);
        const auto bytes = static_cast<size_t>(fused_kv.head_bytes());
        for (int32_t g = 0; g < c.n_head_kv; ++g) {
            CHECK(same_bytes(fused_kv.key(kLayer, slot, g), op_kv.key(kLayer, slot, g), bytes));
            CHECK(same_bytes(fused_kv.value(kLayer, slot, g), op_kv.value(kLayer, slot, g), bytes));
        }
    }
}

TEST_CASE("decode's fused self-attention equals the ops one by one, bit for bit") {
    std::mt19937 rng(71);
    for (IsaRequest isa : isa_requests_here()) {
        for (int threads : {2, 3, 5}) {
            CpuBackend backend(CpuOptions{.n_threads = threads, .isa = isa});
            for (const Case& c : kCases) {
                const Layer layer(backend, c, rng);
                for (DType kv_type : {DType::F16, DType::Q8_0}) {
                    if (c.head_dim % dtype_info(kv_type).block_elems != 0) continue;  // Q8_0 pages take whole blocks
                    for (int32_t start : {0, 19, 255, 300, 613}) {
                        INFO(isa_name(backend.isa()), " threads=", threads, " ", std::string(c.name), " kv=", dtype_info(kv_type).name,
                             " start=", start);
                        check_steps(backend, c, layer, kv_type, start, 2, rng);
                    }
                }
            }
        }
    }
}

}  // namespace
}  // namespace hearth::cpu
