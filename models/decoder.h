#pragma once
// The pre-norm decoder-only transformer that llama, qwen2 and gemma3 share. A family file fills
// in the weights and the few switches that differ (biases, QK norm, post norms, activation).
#include <optional>
#include <string_view>
#include <vector>

#include "models/model.h"

namespace hearth {

enum class FfnActivation { swiglu, gelu_glu };

struct DecoderLayer {
    Weight attn_norm, wq, wk, wv, wo;
    std::optional<Weight> bq, bk, bv;           // qwen2
    std::optional<Weight> q_norm, k_norm;       // gemma3: RMS norm per head
    std::optional<Weight> attn_post_norm;       // gemma3
    Weight ffn_norm, ffn_gate, ffn_up, ffn_down;
    std::optional<Weight> ffn_post_norm;        // gemma3
    RopeParams rope;
    int32_t sliding_window = 0;
};

struct DecoderWeights {
    Weight token_embd;
    Weight output_norm;
    Weight output;  // the token embedding when tied
    std::optional<Weight> rope_freqs;
    std::vector<DecoderLayer> layers;
};

struct DecoderSpec {
    FfnActivation activation = FfnActivation::swiglu;
    float embed_scale = 1.0f;       // gemma multiplies embeddings by sqrt(n_embd)
    float query_scale = 1.0f;       // gemma scales Q itself after RoPE (before its f16 rounding)
    float kq_scale = 1.0f;          // applied to Q.K inside the softmax (llama: 1/sqrt(head_dim))
    float final_logit_softcap = 0;  // 0: off; else logits = cap * tanh(logits / cap)
};

// Which optional per-layer tensors a family has.
struct DecoderTensorSet {
    bool qkv_bias = false;
    bool qk_norm = false;
    bool post_norms = false;
};

class WeightLoader;
// Loads the layer tensors named as llama.cpp's converters name them (blk.N.attn_q.weight, ...).
// RoPE and sliding windows are left for the family to set.
DecoderWeights load_decoder_weights(const WeightLoader& loader, const ModelConfig& config, Weight token_embd,
                                    const DecoderTensorSet& tensors);

// The plain llama-style family member: SwiGLU, 1/sqrt(head_dim) attention scale, one RoPE for all
// layers; `tensors` and `rope_style` are what llama and qwen2 differ in.
std::unique_ptr<Model> load_plain_decoder(const gguf::GgufFile& file, Backend& backend, std::string_view arch,
                                          const DecoderTensorSet& tensors, RopeStyle rope_style);

class DecoderModel final : public Model {
public:
    DecoderModel(Backend& backend, ModelConfig config, DecoderSpec spec, DecoderWeights weights);
    void forward(const ForwardBatch& batch, KvPages& pages, std::span<float> logits) override;

private:
    void attention_block(const DecoderLayer& layer, int32_t index, Tensor x, const BatchRows& rows, KvPages& pages);
    // next: the layer after this one (null for the last), whose norm and first matrices are requested early.
    void ffn_block(const DecoderLayer& layer, Tensor x, const DecoderLayer* next);

    DecoderSpec spec_;
    DecoderWeights weights_;
};

}  // namespace hearth
