// Gemma 3 (text): sliding-window layers and global layers (five local then one global unless
// the file lists the pattern); RMS norm on each head of Q and K; norms after attention and after
// the FFN as well as before; GELU-gated FFN; embeddings scaled by sqrt(n_embd); Q scaled by
// 1/sqrt(head_dim) after RoPE; local layers use their own RoPE base (10000 unless the file says);
// optional final logit soft-capping.
#include <cmath>
#include <vector>

#include "core/error.h"
#include "models/decoder.h"
#include "models/families.h"
#include "models/weight_loader.h"

namespace hearth {
namespace {
constexpr int kSlidingPattern = 6;  // without a pattern in the file, every sixth layer is global
constexpr double kLocalRopeBase = 10000.0;
constexpr int32_t kLayers27B = 62;

// Which layers use the sliding window: the file's per-layer list, or the default pattern.
std::vector<bool> sliding_layers(const gguf::GgufFile& file, int32_t n_layer) {
    std::vector<bool> sliding(n_layer);
    if (const gguf::Array* pattern = file.find_array("gemma3.attention.sliding_window_pattern")) {
        require(static_cast<int32_t>(pattern->ints.size()) == n_layer, ErrorKind::bad_file,
                "gemma3.attention.sliding_window_pattern must hold one flag per layer");
        for (int32_t i = 0; i < n_layer; ++i) sliding[i] = pattern->ints[i] != 0;
        return sliding;
    }
    for (int32_t i = 0; i < n_layer; ++i) sliding[i] = i % kSlidingPattern < kSlidingPattern - 1;
    return sliding;
}
}  // namespace

std::unique_ptr<Model> load_gemma3(const gguf::GgufFile& file, Backend& backend) {
    const WeightLoader loader(file, backend);
    const Weight token_embd = loader.get_any_shape("token_embd.weight");
    ModelConfig config = read_base_config(file, "gemma3", token_embd);
    DecoderTensorSet tensors;
    tensors.qk_norm = true;
    tensors.post_norms = true;
    DecoderWeights weights = load_decoder_weights(loader, config, token_embd, tensors);

    const int64_t window = file.get_int("gemma3.attention.sliding_window");
    require(window > 0 && window < (1 << 24), ErrorKind::bad_file, "gemma3.attention.sliding_window out of range");
    const RopeParams global_rope = read_rope(file, "gemma3", config, RopeStyle::neox);
    RopeParams local_rope = global_rope;
    local_rope.freq_base = static_cast<float>(file.find_float("gemma3.rope.freq_base_swa").value_or(kLocalRopeBase));
    local_rope.freq_scale = 1.0f;
    require(local_rope.freq_base > 0.0f, ErrorKind::bad_file, "gemma3.rope.freq_base_swa must be positive");
    const std::vector<bool> sliding = sliding_layers(file, config.n_layer);
    for (size_t i = 0; i < weights.layers.size(); ++i) {
        weights.layers[i].rope = sliding[i] ? local_rope : global_rope;
        weights.layers[i].sliding_window = sliding[i] ? static_cast<int32_t>(window) : 0;
    }
    DecoderSpec spec;
    spec.activation = FfnActivation::gelu_glu;
    spec.embed_scale = std::sqrt(static_cast<float>(config.n_embd));
    // Gemma 3 27B (62 layers) was trained with query_pre_attn_scalar = n_embd / n_head, the
    // others with head_dim; GGUF files do not store it, so llama.cpp keys it on the layer count.
    const int32_t query_scalar = config.n_layer == kLayers27B ? config.n_embd / config.n_head : config.head_dim;
    spec.query_scale = 1.0f / std::sqrt(static_cast<float>(query_scalar));
    spec.final_logit_softcap = static_cast<float>(file.find_float("gemma3.final_logit_softcapping").value_or(0.0));
    require(spec.final_logit_softcap >= 0.0f, ErrorKind::bad_file, "gemma3.final_logit_softcapping must not be negative");
    return std::make_unique<DecoderModel>(backend, std::move(config), spec, std::move(weights));
}

}  // namespace hearth
