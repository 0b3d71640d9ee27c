// Gemma 3 (text): five sliding-window layers then one global layer, repeating; RMS norm on each
// head of Q and K; norms after attention and after the FFN as well as before; GELU-gated FFN;
// embeddings scaled by sqrt(n_embd); local layers use RoPE base 10000, global ones the file's.
#include <cmath>

#include "core/error.h"
#include "models/decoder.h"
#include "models/families.h"
#include "models/weight_loader.h"

namespace hearth {
namespace {
constexpr int kSlidingPattern = 6;       // every sixth layer attends globally
constexpr float kLocalRopeBase = 10000.0f;
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
    local_rope.freq_base = kLocalRopeBase;
    local_rope.freq_scale = 1.0f;
    for (size_t i = 0; i < weights.layers.size(); ++i) {
        const bool local = i % kSlidingPattern < kSlidingPattern - 1;
        weights.layers[i].rope = local ? local_rope : global_rope;
        weights.layers[i].sliding_window = local ? static_cast<int32_t>(window) : 0;
    }
    DecoderSpec spec;
    spec.activation = FfnActivation::gelu_glu;
    spec.embed_scale = std::sqrt(static_cast<float>(config.n_embd));
    spec.attn_scale = 1.0f / std::sqrt(static_cast<float>(config.head_dim));
    return std::make_unique<DecoderModel>(backend, std::move(config), spec, std::move(weights));
}

}  // namespace hearth
