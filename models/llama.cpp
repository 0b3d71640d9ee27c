// Llama 2/3, Mistral, SmolLM2, TinyLlama: RMSNorm, GQA, SwiGLU, RoPE on adjacent pairs,
// optional Llama 3.1 frequency factors, optionally tied embeddings.
#include "models/decoder.h"
#include "models/families.h"

namespace hearth {

std::unique_ptr<Model> load_llama(const gguf::GgufFile& file, Backend& backend) {
    return load_plain_decoder(file, backend, "llama", DecoderTensorSet{}, RopeStyle::normal);
}

}  // namespace hearth
