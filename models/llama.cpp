// Llama 2/3, Mistral, SmolLM2, TinyLlama: RMSNorm, GQA, SwiGLU, RoPE on adjacent pairs,
// optional Llama 3.1 frequency factors, optionally tied embeddings.
#include <cmath>

#include "models/decoder.h"
#include "models/families.h"
#include "models/weight_loader.h"

namespace hearth {

std::unique_ptr<Model> load_llama(const gguf::GgufFile& file, Backend& backend) {
    const WeightLoader loader(file, backend);
    const Weight token_embd = loader.get_any_shape("token_embd.weight");
    ModelConfig config = read_base_config(file, "llama", token_embd);
    DecoderWeights weights = load_decoder_weights(loader, config, token_embd, DecoderTensorSet{});
    const RopeParams rope = read_rope(file, "llama", config, RopeStyle::normal);
    for (auto& layer : weights.layers) layer.rope = rope;
    DecoderSpec spec;
    spec.activation = FfnActivation::swiglu;
    spec.kq_scale = 1.0f / std::sqrt(static_cast<float>(config.head_dim));
    return std::make_unique<DecoderModel>(backend, std::move(config), spec, std::move(weights));
}

}  // namespace hearth
