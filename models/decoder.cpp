#include "models/decoder.h"

#include <cmath>

#include "core/error.h"
#include "models/weight_loader.h"

namespace hearth {

DecoderWeights load_decoder_weights(const WeightLoader& loader, const ModelConfig& c, Weight token_embd,
                                    const DecoderTensorSet& tensors) {
    DecoderWeights w;
    w.token_embd = token_embd;
    w.output_norm = loader.get("output_norm.weight", c.n_embd);
    w.output = loader.find("output.weight", c.n_embd, c.n_vocab).value_or(token_embd);
    w.rope_freqs = loader.find("rope_freqs.weight", c.head_dim / 2);
    const int64_t q_dim = static_cast<int64_t>(c.n_head) * c.head_dim;
    for (int i = 0; i < c.n_layer; ++i) {
        DecoderLayer l;
        l.attn_norm = loader.get(layer_tensor(i, "attn_norm"), c.n_embd);
        l.wq = loader.get(layer_tensor(i, "attn_q"), c.n_embd, q_dim);
        l.wk = loader.get(layer_tensor(i, "attn_k"), c.n_embd, c.kv_dim());
        l.wv = loader.get(layer_tensor(i, "attn_v"), c.n_embd, c.kv_dim());
        l.wo = loader.get(layer_tensor(i, "attn_output"), q_dim, c.n_embd);
        if (tensors.qkv_bias) {
            const std::string prefix = "blk." + std::to_string(i) + ".";
            l.bq = loader.get(prefix + "attn_q.bias", q_dim);
            l.bk = loader.get(prefix + "attn_k.bias", c.kv_dim());
            l.bv = loader.get(prefix + "attn_v.bias", c.kv_dim());
        }
        if (tensors.qk_norm) {
            l.q_norm = loader.get(layer_tensor(i, "attn_q_norm"), c.head_dim);
            l.k_norm = loader.get(layer_tensor(i, "attn_k_norm"), c.head_dim);
        }
        if (tensors.post_norms) {
            l.attn_post_norm = loader.get(layer_tensor(i, "post_attention_norm"), c.n_embd);
            l.ffn_post_norm = loader.get(layer_tensor(i, "post_ffw_norm"), c.n_embd);
        }
        l.ffn_norm = loader.get(layer_tensor(i, "ffn_norm"), c.n_embd);
        l.ffn_gate = loader.get(layer_tensor(i, "ffn_gate"), c.n_embd, c.n_ff);
        l.ffn_up = loader.get(layer_tensor(i, "ffn_up"), c.n_embd, c.n_ff);
        l.ffn_down = loader.get(layer_tensor(i, "ffn_down"), c.n_ff, c.n_embd);
        w.layers.push_back(std::move(l));
    }
    return w;
}

std::unique_ptr<Model> load_plain_decoder(const gguf::GgufFile& file, Backend& backend, std::string_view arch,
                                          const DecoderTensorSet& tensors, RopeStyle rope_style) {
    const WeightLoader loader(file, backend);
    const Weight token_embd = loader.get_any_shape("token_embd.weight");
    ModelConfig config = read_base_config(file, arch, token_embd);
    DecoderWeights weights = load_decoder_weights(loader, config, token_embd, tensors);
    const RopeParams rope = read_rope(file, arch, config, rope_style);
    for (auto& layer : weights.layers) layer.rope = rope;
    DecoderSpec spec;
    spec.activation = FfnActivation::swiglu;
    spec.kq_scale = 1.0f / std::sqrt(static_cast<float>(config.head_dim));
    return std::make_unique<DecoderModel>(backend, std::move(config), spec, std::move(weights));
}

DecoderModel::DecoderModel(Backend& backend, ModelConfig config, DecoderSpec spec, DecoderWeights weights)
    : Model(backend, std::move(config)), spec_(spec), weights_(std::move(weights)) {
    for (auto& layer : weights_.layers)
        if (weights_.rope_freqs) layer.rope.freq_factors = &*weights_.rope_freqs;
}

void DecoderModel::attention_block(const DecoderLayer& layer, int32_t index, Tensor x, const BatchRows& rows,
                                   KvPages& pages) {
    Backend& b = backend_;
    const ModelConfig& c = config_;
    const int64_t n = x.rows;
    Tensor h = b.alloc(n, c.n_embd);
    b.rms_norm(x, layer.attn_norm, c.norm_eps, h);
    const auto optional = [](const std::optional<Weight>& w) { return w ? &*w : nullptr; };
    SelfAttention s;
    s.wq = &layer.wq;
    s.wk = &layer.wk;
    s.wv = &layer.wv;
    s.bq = optional(layer.bq);
    s.bk = optional(layer.bk);
    s.bv = optional(layer.bv);
    s.q_norm = optional(layer.q_norm);
    s.k_norm = optional(layer.k_norm);
    s.norm_eps = c.norm_eps;
    s.rope = layer.rope;
    s.query_scale = spec_.query_scale;
    s.attention = AttentionParams{c.n_head, c.n_head_kv, c.head_dim, spec_.kq_scale, layer.sliding_window};
    Tensor attn = b.alloc(n, static_cast<int64_t>(c.n_head) * c.head_dim);
    b.prefetch(layer.wo);
    b.self_attention(h, s, pages, index, rows, attn);
    Tensor o = b.alloc(n, c.n_embd);
    if (layer.attn_post_norm) b.prefetch(*layer.attn_post_norm);
    b.prefetch(layer.ffn_norm);
    b.prefetch(layer.ffn_gate);
    b.prefetch(layer.ffn_up);
    b.matmul(layer.wo, attn, o);
    if (layer.attn_post_norm) b.rms_norm(o, *layer.attn_post_norm, c.norm_eps, o);
    b.add(x, o, x);
}

void DecoderModel::ffn_block(const DecoderLayer& layer, Tensor x, const DecoderLayer* next) {
    Backend& b = backend_;
    const ModelConfig& c = config_;
    const int64_t n = x.rows;
    Tensor h = b.alloc(n, c.n_embd);
    Tensor gate = b.alloc(n, c.n_ff);
    Tensor down = b.alloc(n, c.n_embd);
    b.rms_norm(x, layer.ffn_norm, c.norm_eps, h);
    b.prefetch(layer.ffn_down);
    if (spec_.activation == FfnActivation::swiglu) {
        b.matmul_swiglu(layer.ffn_gate, layer.ffn_up, h, gate);
    } else {
        Tensor up = b.alloc(n, c.n_ff);
        const MatmulTarget gate_up[] = {{&layer.ffn_gate, gate}, {&layer.ffn_up, up}};
        b.matmuls(h, gate_up);
        b.gelu_glu(gate, up, gate);
    }
    if (layer.ffn_post_norm) b.prefetch(*layer.ffn_post_norm);
    if (next != nullptr) {
        b.prefetch(next->attn_norm);
        b.prefetch(next->wq);
        b.prefetch(next->wk);
        b.prefetch(next->wv);
    } else {
        b.prefetch(weights_.output_norm);
        b.prefetch(weights_.output);
    }
    b.matmul(layer.ffn_down, gate, down);
    if (layer.ffn_post_norm) b.rms_norm(down, *layer.ffn_post_norm, c.norm_eps, down);
    b.add(x, down, x);
}

void DecoderModel::forward(const ForwardBatch& batch, KvPages& pages, std::span<float> logits) {
    const int64_t n = static_cast<int64_t>(batch.tokens.size());
    require(n > 0 && batch.positions.size() == batch.tokens.size() && batch.sequences.size() == batch.tokens.size(),
            ErrorKind::internal, "forward: tokens, positions and sequences differ in length");
    require(logits.size() == batch.logit_rows.size() * static_cast<size_t>(config_.n_vocab), ErrorKind::internal,
            "forward: logits buffer has the wrong size");
    Backend& b = backend_;
    b.begin_step();
    const BatchRows rows{batch.positions, batch.sequences, batch.block_tables};
    Tensor x = b.alloc(n, config_.n_embd);
    b.embed(weights_.token_embd, batch.tokens, x);
    if (spec_.embed_scale != 1.0f) b.scale(x, spec_.embed_scale);
    for (int32_t i = 0; i < config_.n_layer; ++i) {
        const ActivationMark layer_start = b.activation_mark();  // x lives on; the layer's own tensors do not
        attention_block(weights_.layers[i], i, x, rows, pages);
        const bool last = i + 1 == config_.n_layer;
        ffn_block(weights_.layers[i], x, last ? nullptr : &weights_.layers[i + 1]);
        b.release_to(layer_start);
    }
    if (batch.logit_rows.empty()) return;
    Tensor last = b.alloc(static_cast<int64_t>(batch.logit_rows.size()), config_.n_embd);
    b.gather_rows(x, batch.logit_rows, last);
    b.rms_norm(last, weights_.output_norm, config_.norm_eps, last);
    Tensor out = b.alloc_for_read(logits, last.rows, config_.n_vocab);
    b.matmul(weights_.output, last, out);
    if (spec_.final_logit_softcap > 0.0f) b.softcap(out, spec_.final_logit_softcap);
    b.read(out, logits);
}

}  // namespace hearth
