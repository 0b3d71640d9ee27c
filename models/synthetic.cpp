#include "models/synthetic.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>

#include "core/error.h"
#include "core/gguf/gguf_writer.h"
#include "core/quant/quant.h"

namespace hearth {
namespace {

struct PlannedTensor {
    std::string name;
    DType type;
    int64_t in, out;  // out == 0: a vector
    float scale;      // standard deviation of the random values; 0: all ones (norm weights)
    std::vector<uint8_t> bytes;
};

uint64_t splitmix64(uint64_t& state) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// Roughly normal values (sum of four uniforms), cheap enough for billions of weights.
void fill_random(float* out, int64_t n, float scale, uint64_t seed) {
    uint64_t state = seed;
    for (int64_t i = 0; i < n; ++i) {
        const uint64_t r = splitmix64(state);
        float sum = 0.0f;
        for (int k = 0; k < 4; ++k) sum += static_cast<float>((r >> (16 * k)) & 0xFFFF) / 65535.0f;
        out[i] = (sum - 2.0f) * 1.7320508f * scale;
    }
}

void materialize(PlannedTensor& t, uint64_t seed) {
    const int64_t rows = t.out == 0 ? 1 : t.out;
    const uint64_t stride = row_bytes(dtype_info(t.type), t.in);
    t.bytes.resize(stride * rows);
    std::vector<float> row(t.in);
    for (int64_t r = 0; r < rows; ++r) {
        if (t.scale == 0.0f) {
            std::fill(row.begin(), row.end(), 1.0f);
        } else {
            fill_random(row.data(), t.in, t.scale, seed * 1000003ULL + static_cast<uint64_t>(r));
        }
        quantize_row(t.type, row.data(), t.bytes.data() + stride * r, t.in);
    }
}

std::vector<PlannedTensor> plan_tensors(const SyntheticShape& s, const SyntheticMix& mix, int64_t n_vocab) {
    const int64_t head_dim = s.n_embd / s.n_head;
    const int64_t kv = head_dim * s.n_head_kv;
    const float w = 0.02f;
    std::vector<PlannedTensor> plan = {
        {"token_embd.weight", mix.matrix, s.n_embd, n_vocab, w, {}},
        {"output_norm.weight", DType::F32, s.n_embd, 0, 0.0f, {}},
        {"output.weight", mix.output, s.n_embd, n_vocab, w, {}},
    };
    for (int i = 0; i < s.n_layer; ++i) {
        const std::string p = "blk." + std::to_string(i) + ".";
        plan.push_back({p + "attn_norm.weight", DType::F32, s.n_embd, 0, 0.0f, {}});
        plan.push_back({p + "attn_q.weight", mix.matrix, s.n_embd, s.n_embd, w, {}});
        plan.push_back({p + "attn_k.weight", mix.matrix, s.n_embd, kv, w, {}});
        plan.push_back({p + "attn_v.weight", mix.attn_v, s.n_embd, kv, w, {}});
        if (s.architecture == "qwen2") {
            plan.push_back({p + "attn_q.bias", DType::F32, s.n_embd, 0, w, {}});
            plan.push_back({p + "attn_k.bias", DType::F32, kv, 0, w, {}});
            plan.push_back({p + "attn_v.bias", DType::F32, kv, 0, w, {}});
        }
        plan.push_back({p + "attn_output.weight", mix.matrix, s.n_embd, s.n_embd, w, {}});
        plan.push_back({p + "ffn_norm.weight", DType::F32, s.n_embd, 0, 0.0f, {}});
        plan.push_back({p + "ffn_gate.weight", mix.matrix, s.n_embd, s.n_ff, w, {}});
        plan.push_back({p + "ffn_up.weight", mix.matrix, s.n_embd, s.n_ff, w, {}});
        plan.push_back({p + "ffn_down.weight", mix.ffn_down, s.n_ff, s.n_embd, w, {}});
    }
    return plan;
}

void set_hyperparameters(gguf::GgufWriter& w, const SyntheticShape& s) {
    const std::string a = s.architecture;
    w.set("general.architecture", a);
    w.set("general.name", "hearth synthetic " + s.name);
    w.set("general.size_label", s.size_label);
    w.set_u32(a + ".block_count", s.n_layer);
    w.set_u32(a + ".context_length", s.n_ctx);
    w.set_u32(a + ".embedding_length", s.n_embd);
    w.set_u32(a + ".feed_forward_length", s.n_ff);
    w.set_u32(a + ".attention.head_count", s.n_head);
    w.set_u32(a + ".attention.head_count_kv", s.n_head_kv);
    w.set_f32(a + ".rope.freq_base", s.rope_base);
    w.set_f32(a + ".attention.layer_norm_rms_epsilon", 1e-5f);
    w.set_u32(a + ".rope.dimension_count", s.n_embd / s.n_head);
}

}  // namespace

const std::vector<SyntheticShape>& synthetic_shapes() {
    static const std::vector<SyntheticShape> shapes = {
        {"llama-tiny", "llama", "20M", 2, 256, 4, 2, 512, 4096, 10000.0f},   // for tests
        {"qwen2-tiny", "qwen2", "20M", 2, 256, 4, 2, 512, 4096, 1000000.0f},  // for tests
        {"llama-1b", "llama", "1B", 16, 2048, 32, 8, 8192, 131072, 500000.0f},
        {"llama-8b", "llama", "8B", 32, 4096, 32, 8, 14336, 131072, 500000.0f},
        {"qwen2-7b", "qwen2", "7B", 28, 3584, 28, 4, 18944, 32768, 1000000.0f},
    };
    return shapes;
}

SyntheticMix synthetic_mix(const std::string& name) {
    static const std::vector<SyntheticMix> mixes = {
        {"Q4_0", 2, DType::Q4_0, DType::Q4_0, DType::Q4_0, DType::Q6_K},
        {"Q4_1", 3, DType::Q4_1, DType::Q4_1, DType::Q4_1, DType::Q6_K},
        {"Q5_0", 8, DType::Q5_0, DType::Q5_0, DType::Q5_0, DType::Q6_K},
        {"Q5_1", 9, DType::Q5_1, DType::Q5_1, DType::Q5_1, DType::Q6_K},
        {"Q8_0", 7, DType::Q8_0, DType::Q8_0, DType::Q8_0, DType::Q8_0},
        {"F16", 1, DType::F16, DType::F16, DType::F16, DType::F16},
        {"BF16", 32, DType::BF16, DType::BF16, DType::BF16, DType::BF16},
        {"Q4_K_M", 15, DType::Q4_K, DType::Q6_K, DType::Q6_K, DType::Q6_K},
        {"Q5_K_M", 17, DType::Q5_K, DType::Q6_K, DType::Q6_K, DType::Q6_K},
    };
    std::string known;
    for (const auto& m : mixes) {
        if (m.name == name) return m;
        known += (known.empty() ? "" : ", ") + m.name;
    }
    throw Error(ErrorKind::bad_request, "unknown weight type '" + name + "'; known: " + known);
}

void write_synthetic_model(const SyntheticRequest& request, const gguf::GgufFile& tokenizer_source,
                           const std::string& path) {
    const auto& shapes = synthetic_shapes();
    const auto shape = std::find_if(shapes.begin(), shapes.end(), [&](const auto& s) { return s.name == request.shape; });
    if (shape == shapes.end()) {
        std::string known;
        for (const auto& s : shapes) known += (known.empty() ? "" : ", ") + s.name;
        throw Error(ErrorKind::bad_request, "unknown shape '" + request.shape + "'; known: " + known);
    }
    const SyntheticMix mix = synthetic_mix(request.mix);
    const int64_t n_vocab = static_cast<int64_t>(tokenizer_source.get_array("tokenizer.ggml.tokens").size());

    gguf::GgufWriter writer;
    set_hyperparameters(writer, *shape);
    writer.set_u32("general.file_type", mix.file_type);
    for (const auto& [key, value] : tokenizer_source.metadata())
        if (key.rfind("tokenizer.", 0) == 0) writer.set_value(key, value);

    std::vector<PlannedTensor> plan = plan_tensors(*shape, mix, n_vocab);
    std::atomic<size_t> next{0};
    const unsigned n_threads = request.n_threads > 0 ? request.n_threads : std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::thread> workers;
    for (unsigned t = 0; t < n_threads; ++t)
        workers.emplace_back([&] {
            for (size_t i = next++; i < plan.size(); i = next++) materialize(plan[i], request.seed * 7919 + i);
        });
    for (auto& worker : workers) worker.join();
    for (const auto& t : plan) {
        std::vector<int64_t> dims = t.out == 0 ? std::vector<int64_t>{t.in} : std::vector<int64_t>{t.in, t.out};
        writer.add_tensor_view(t.name, t.type, dims, t.bytes);
    }
    writer.write_file(path);
}

}  // namespace hearth
