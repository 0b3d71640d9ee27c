#pragma once
// Small synthetic models (qwen2 and llama), built byte for byte the same on every platform, so
// Hearth can be checked against llama.cpp's greedy output for architectures and weight types no
// real test model covers. Weights come from splitmix64 turned into floats by exact arithmetic
// (no <random> distributions, whose output differs between standard libraries), quantized with
// Hearth's reference quantizers. The tokenizer is a byte-level BPE (tokenizer.ggml.model "gpt2")
// with the 256 byte tokens, a few merges and a few control tokens.
//
// tests/data/goldens/synthetic-*-greedy.json record llama.cpp's output on these files and the
// files' size and FNV-1a hash: any change here needs new goldens (see their "made_by").
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/gguf/gguf_writer.h"
#include "core/quant/quant.h"

namespace hearth::test {

enum class SyntheticArch { qwen2, llama };

inline std::string synthetic_model_name(SyntheticArch arch) {
    return arch == SyntheticArch::qwen2 ? "synthetic-qwen2" : "synthetic-llama";
}

namespace synthetic_detail {

// Sebastiano Vigna's splitmix64, then the top 24 bits as a float in [-1, 1) (exact arithmetic).
class SplitMix64 {
public:
    explicit SplitMix64(uint64_t seed) : state_(seed) {}
    uint64_t next() {
        uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    float uniform() { return static_cast<float>(next() >> 40) * 0x1.0p-23f - 1.0f; }

private:
    uint64_t state_;
};

inline uint64_t fnv1a64(std::string_view bytes, uint64_t hash = 14695981039346656037ull) {
    for (char c : bytes) hash = (hash ^ static_cast<uint8_t>(c)) * 1099511628211ull;
    return hash;
}

// GPT-2's byte-level alphabet, written out here rather than taken from Hearth's tokenizer so the
// vocabulary does not depend on the code under test: printable Latin-1 bytes stand for themselves,
// the other 68 bytes for U+0100, U+0101, ... in byte order.
inline std::vector<std::string> byte_tokens() {
    std::vector<std::string> tokens;
    uint32_t next_stand_in = 0x100;
    for (uint32_t byte = 0; byte < 256; ++byte) {
        const bool printable = (byte >= 0x21 && byte <= 0x7E) || (byte >= 0xA1 && byte <= 0xAC) || byte >= 0xAE;
        const uint32_t cpt = printable ? byte : next_stand_in++;
        std::string utf8;
        if (cpt < 0x80) {
            utf8 += static_cast<char>(cpt);
        } else {
            utf8 += static_cast<char>(0xC0 | (cpt >> 6));
            utf8 += static_cast<char>(0x80 | (cpt & 0x3F));
        }
        tokens.push_back(utf8);
    }
    return tokens;
}

// Merges in rank order ("Ġ" is the byte-level space, "Ċ" the newline); each adds its result token.
inline const std::vector<std::string>& merges() {
    static const std::vector<std::string> list = {
        "Ġ t", "h e", "Ġ a", "i n", "Ġt he", "e r", "o n", "Ġ s", "r e", "a t",
        "e n", "Ġ o", "Ġ w", "i s", "o r", "Ġ c", "e s", "l l", "a n", "Ġ b",
        "Ġ f", "Ġ m", "i t", "Ġ p", "o u", "Ġ i", "Ġo f", "Ġa n", "Ġan d", "Ċ Ċ",
    };
    return list;
}

struct Vocab {
    std::vector<std::string> tokens;
    std::vector<int32_t> types;  // 1 normal, 3 control
    uint32_t bos = 0, eos = 0;
};

inline Vocab make_vocab(SyntheticArch arch) {
    Vocab v;
    v.tokens = byte_tokens();
    for (const std::string& merge : merges()) {
        const size_t space = merge.find(' ');
        v.tokens.push_back(merge.substr(0, space) + merge.substr(space + 1));
    }
    v.types.assign(v.tokens.size(), 1);
    const std::vector<std::string> specials =
        arch == SyntheticArch::qwen2 ? std::vector<std::string>{"<|endoftext|>", "<|im_start|>", "<|im_end|>"}
                                     : std::vector<std::string>{"<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>"};
    const auto first_special = static_cast<uint32_t>(v.tokens.size());
    for (const std::string& s : specials) {
        v.tokens.push_back(s);
        v.types.push_back(3);
    }
    // qwen2: BOS <|endoftext|> (not added), EOS <|im_end|>; llama: BOS added, EOS <|end_of_text|>.
    v.bos = first_special;
    v.eos = arch == SyntheticArch::qwen2 ? first_special + 2 : first_special + 1;
    return v;
}

struct Shape {
    int64_t n_layer, n_embd, n_head, n_head_kv, n_ff;
    int64_t head_dim() const { return n_embd / n_head; }
    int64_t kv_dim() const { return n_head_kv * head_dim(); }
};

// Weight types of the matrices of one layer, in the order q, k, v, o, gate, up, down.
using LayerTypes = std::vector<DType>;

struct Recipe {
    std::string arch;
    Shape shape;
    float rope_freq_base;
    DType embd_type;
    float embd_scale;   // a tied output turns this into the logits' scale
    DType output_type;  // F32 marks a tied output (no output.weight)
    std::vector<LayerTypes> layers;
    bool rope_freq_factors;
};

inline Recipe recipe(SyntheticArch arch) {
    using enum DType;
    if (arch == SyntheticArch::qwen2)
        return {"qwen2", {2, 128, 4, 2, 256}, 1e6f, Q8_0, 0.5f, F32,
                {{Q8_0, Q4_0, Q8_0, Q4_0, Q4_0, Q8_0, Q4_0}, {Q4_0, Q8_0, Q4_0, Q8_0, Q8_0, Q4_0, Q8_0}}, false};
    // K types need rows of a multiple of 256 elements: n_embd 256, n_ff 512.
    return {"llama", {2, 256, 4, 2, 512}, 5e5f, F16, 1.0f, Q6_K,
            {{Q5_0, Q5_1, Q6_K, Q4_K, Q4_K, Q5_K, F16}, {Q4_K, Q6_K, Q5_0, Q5_1, BF16, Q6_K, Q5_K}}, true};
}

// values[i] = offset + scale * uniform(-1, 1), seeded by the tensor name, then quantized.
inline void add_tensor(gguf::GgufWriter& w, const std::string& name, DType type, std::vector<int64_t> shape,
                       float offset, float scale) {
    int64_t count = 1;
    for (int64_t d : shape) count *= d;
    SplitMix64 rng(fnv1a64(name));
    std::vector<float> values(static_cast<size_t>(count));
    for (float& x : values) x = offset + scale * rng.uniform();
    std::vector<uint8_t> bytes(row_bytes(dtype_info(type), static_cast<uint64_t>(count)));
    quantize_row(type, values.data(), bytes.data(), count);
    w.add_tensor(name, type, std::move(shape), bytes);
}

// A matrix whose outputs have about `gain` times the spread of its inputs.
inline void add_matrix(gguf::GgufWriter& w, const std::string& name, DType type, int64_t in, int64_t out,
                       float gain = 1.0f) {
    add_tensor(w, name, type, {in, out}, 0.0f, gain * std::sqrt(3.0f / static_cast<float>(in)));
}

inline void add_metadata(gguf::GgufWriter& w, const Recipe& r, const Vocab& vocab) {
    const std::string& a = r.arch;
    w.set("general.architecture", a);
    w.set("general.name", "hearth synthetic " + a);
    w.set_u32(a + ".block_count", static_cast<uint32_t>(r.shape.n_layer));
    w.set_u32(a + ".context_length", 512);
    w.set_u32(a + ".embedding_length", static_cast<uint32_t>(r.shape.n_embd));
    w.set_u32(a + ".feed_forward_length", static_cast<uint32_t>(r.shape.n_ff));
    w.set_u32(a + ".attention.head_count", static_cast<uint32_t>(r.shape.n_head));
    w.set_u32(a + ".attention.head_count_kv", static_cast<uint32_t>(r.shape.n_head_kv));
    w.set_f32(a + ".rope.freq_base", r.rope_freq_base);
    w.set_f32(a + ".attention.layer_norm_rms_epsilon", 1e-6f);
    w.set("tokenizer.ggml.model", "gpt2");
    w.set("tokenizer.ggml.pre", a == "qwen2" ? "qwen2" : "llama-bpe");
    w.set_array_strings("tokenizer.ggml.tokens", vocab.tokens);
    w.set_array_i32("tokenizer.ggml.token_type", vocab.types);
    w.set_array_strings("tokenizer.ggml.merges", merges());
    w.set_u32("tokenizer.ggml.bos_token_id", vocab.bos);
    w.set_u32("tokenizer.ggml.eos_token_id", vocab.eos);
    w.set_bool("tokenizer.ggml.add_bos_token", a != "qwen2");
}

inline void add_layer(gguf::GgufWriter& w, const Recipe& r, int layer) {
    const Shape& s = r.shape;
    const LayerTypes& t = r.layers[static_cast<size_t>(layer)];
    const std::string p = "blk." + std::to_string(layer) + ".";
    add_tensor(w, p + "attn_norm.weight", DType::F32, {s.n_embd}, 1.0f, 0.25f);
    add_matrix(w, p + "attn_q.weight", t[0], s.n_embd, s.n_embd, 1.5f);
    add_matrix(w, p + "attn_k.weight", t[1], s.n_embd, s.kv_dim(), 1.5f);
    add_matrix(w, p + "attn_v.weight", t[2], s.n_embd, s.kv_dim());
    if (r.arch == "qwen2") {
        add_tensor(w, p + "attn_q.bias", DType::F32, {s.n_embd}, 0.0f, 0.5f);
        add_tensor(w, p + "attn_k.bias", DType::F32, {s.kv_dim()}, 0.0f, 1.0f);
        add_tensor(w, p + "attn_v.bias", DType::F32, {s.kv_dim()}, 0.0f, 0.2f);
    }
    add_matrix(w, p + "attn_output.weight", t[3], s.n_embd, s.n_embd);
    add_tensor(w, p + "ffn_norm.weight", DType::F32, {s.n_embd}, 1.0f, 0.25f);
    add_matrix(w, p + "ffn_gate.weight", t[4], s.n_embd, s.n_ff, 2.0f);
    add_matrix(w, p + "ffn_up.weight", t[5], s.n_embd, s.n_ff, 2.0f);
    add_matrix(w, p + "ffn_down.weight", t[6], s.n_ff, s.n_embd);
}

}  // namespace synthetic_detail

// The whole GGUF file (v3, alignment 32).
inline std::vector<uint8_t> synthetic_model_bytes(SyntheticArch arch) {
    using namespace synthetic_detail;
    const Recipe r = recipe(arch);
    const Vocab vocab = make_vocab(arch);
    const auto n_vocab = static_cast<int64_t>(vocab.tokens.size());
    gguf::GgufWriter w;
    add_metadata(w, r, vocab);
    add_tensor(w, "token_embd.weight", r.embd_type, {r.shape.n_embd, n_vocab}, 0.0f, r.embd_scale);
    if (r.rope_freq_factors)  // Llama 3.1 style: low-frequency pairs rotate more slowly
        add_tensor(w, "rope_freqs.weight", DType::F32, {r.shape.head_dim() / 2}, 4.5f, 3.5f);
    for (int i = 0; i < r.shape.n_layer; ++i) add_layer(w, r, i);
    add_tensor(w, "output_norm.weight", DType::F32, {r.shape.n_embd}, 1.0f, 0.25f);
    if (r.output_type != DType::F32) add_matrix(w, "output.weight", r.output_type, r.shape.n_embd, n_vocab, 4.0f);
    return w.to_bytes();
}

}  // namespace hearth::test
