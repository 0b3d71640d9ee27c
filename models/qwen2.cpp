// Qwen2 / Qwen2.5 (and DeepSeek-R1 distills of them): the llama block with biases on Q, K and V
// and RoPE on split halves (NeoX style).
#include <cmath>

#include "models/decoder.h"
#include "models/families.h"
#include "models/weight_loader.h"

namespace hearth {

std::unique_ptr<Model> load_qwen2(const gguf::GgufFile& file, Backend& backend) {
    const WeightLoader loader(file, backend);
    const Weight token_embd = loader.get_any_shape("token_embd.weight");
    ModelConfig config = read_base_config(file, "qwen2", token_embd);
    DecoderTensorSet tensors;
    tensors.qkv_bias = true;
    DecoderWeights weights = load_decoder_weights(loader, config, token_embd, tensors);
    const RopeParams rope = read_rope(file, "qwen2", config, RopeStyle::neox);
    for (auto& layer : weights.layers) layer.rope = rope;
    DecoderSpec spec;
    spec.activation = FfnActivation::swiglu;
    spec.kq_scale = 1.0f / std::sqrt(static_cast<float>(config.head_dim));
    return std::make_unique<DecoderModel>(backend, std::move(config), spec, std::move(weights));
}

}  // namespace hearth
