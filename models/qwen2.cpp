// Qwen2 / Qwen2.5 (and DeepSeek-R1 distills of them): the llama block with biases on Q, K and V
// and RoPE on split halves (NeoX style).
#include "models/decoder.h"
#include "models/families.h"

namespace hearth {

std::unique_ptr<Model> load_qwen2(const gguf::GgufFile& file, Backend& backend) {
    DecoderTensorSet tensors;
    tensors.qkv_bias = true;
    return load_plain_decoder(file, backend, "qwen2", tensors, RopeStyle::neox);
}

}  // namespace hearth
