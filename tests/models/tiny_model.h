#pragma once
// A tiny llama-shaped GGUF (random F32 weights) built in memory, so loading and forward-pass
// error paths can be tested without a real model. Options let a test break one thing at a time.
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/gguf/gguf_writer.h"

namespace hearth::test {

struct TinyModelOptions {
    std::string architecture = "llama";
    std::string skip_tensor;       // leave this tensor out
    std::string odd_shape_tensor;  // give this tensor one column too many
    DType ffn_down_type = DType::F32;
};

inline std::vector<uint8_t> random_f32_bytes(int64_t count, std::mt19937& rng) {
    std::normal_distribution<float> dist(0.0f, 0.1f);
    std::vector<uint8_t> bytes(static_cast<size_t>(count) * 4);
    for (int64_t i = 0; i < count; ++i) {
        const float v = dist(rng);
        std::memcpy(bytes.data() + i * 4, &v, 4);
    }
    return bytes;
}

inline std::vector<uint8_t> tiny_model_bytes(const TinyModelOptions& options = {}) {
    constexpr int64_t kEmbd = 64, kFf = 256, kVocab = 32, kHeads = 2, kKvHeads = 1;
    constexpr int64_t kHeadDim = kEmbd / kHeads;
    const std::string& arch = options.architecture;
    std::mt19937 rng(7);
    gguf::GgufWriter w;
    w.set("general.architecture", arch);
    w.set_u32(arch + ".block_count", 1);
    w.set_u32(arch + ".embedding_length", kEmbd);
    w.set_u32(arch + ".feed_forward_length", kFf);
    w.set_u32(arch + ".attention.head_count", kHeads);
    w.set_u32(arch + ".attention.head_count_kv", kKvHeads);
    w.set_u32(arch + ".context_length", 256);
    w.set_f32(arch + ".attention.layer_norm_rms_epsilon", 1e-5f);
    auto add = [&](const std::string& name, DType type, int64_t in, int64_t out) {
        if (name == options.skip_tensor) return;
        const int64_t cols = name == options.odd_shape_tensor ? in + 1 : in;
        std::vector<int64_t> shape = out ? std::vector<int64_t>{cols, out} : std::vector<int64_t>{cols};
        const int64_t count = cols * (out ? out : 1);
        if (type == DType::F32) {
            w.add_tensor(name, type, shape, random_f32_bytes(count, rng));
        } else {  // raw blocks of another type: the loader must refuse them before reading
            w.add_tensor(name, type, shape, std::vector<uint8_t>(row_bytes(dtype_info(type), cols) * (out ? out : 1)));
        }
    };
    add("token_embd.weight", DType::F32, kEmbd, kVocab);
    add("output_norm.weight", DType::F32, kEmbd, 0);
    add("blk.0.attn_norm.weight", DType::F32, kEmbd, 0);
    add("blk.0.attn_q.weight", DType::F32, kEmbd, kEmbd);
    add("blk.0.attn_k.weight", DType::F32, kEmbd, kKvHeads * kHeadDim);
    add("blk.0.attn_v.weight", DType::F32, kEmbd, kKvHeads * kHeadDim);
    add("blk.0.attn_output.weight", DType::F32, kEmbd, kEmbd);
    add("blk.0.ffn_norm.weight", DType::F32, kEmbd, 0);
    add("blk.0.ffn_gate.weight", DType::F32, kEmbd, kFf);
    add("blk.0.ffn_up.weight", DType::F32, kEmbd, kFf);
    add("blk.0.ffn_down.weight", options.ffn_down_type, kFf, kEmbd);
    return w.to_bytes();
}

}  // namespace hearth::test
