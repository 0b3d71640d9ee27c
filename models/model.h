#pragma once
// A loaded model: hyper-parameters from GGUF metadata plus weights on a backend, and the forward
// pass over one batch of tokens. Each architecture family lives in its own file and registers a
// loader in models/registry.cpp.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "core/gguf/gguf_file.h"

namespace hearth {

struct ModelConfig {
    std::string architecture;
    int32_t n_layer = 0;
    int32_t n_embd = 0;
    int32_t n_head = 0;
    int32_t n_head_kv = 0;
    int32_t head_dim = 0;
    int32_t n_ff = 0;
    int32_t n_vocab = 0;
    int32_t n_ctx_train = 0;
    float norm_eps = 1e-5f;
    int32_t kv_dim() const { return n_head_kv * head_dim; }
};

// One step's input: tokens with their positions (one sequence for now) and which rows need logits.
struct ForwardBatch {
    std::span<const int32_t> tokens;
    std::span<const int32_t> positions;
    std::span<const int32_t> logit_rows;  // indices into tokens
};

class Model {
public:
    virtual ~Model() = default;
    const ModelConfig& config() const { return config_; }
    Backend& backend() const { return backend_; }

    std::unique_ptr<KvCache> create_kv_cache(int32_t capacity) const {
        return backend_.create_kv_cache(config_.n_layer, capacity, config_.kv_dim());
    }
    // Runs the batch, storing its keys and values in cache; writes logit_rows.size() x n_vocab
    // floats to logits.
    virtual void forward(const ForwardBatch& batch, KvCache& cache, std::span<float> logits) = 0;

protected:
    Model(Backend& backend, ModelConfig config) : backend_(backend), config_(std::move(config)) {}
    Backend& backend_;
    ModelConfig config_;
};

// Builds the model for the file's general.architecture. Throws Error(unsupported) naming the
// supported architectures, or Error(bad_file) for missing or malformed tensors and metadata.
std::unique_ptr<Model> load_model(const gguf::GgufFile& file, Backend& backend);
std::string supported_architectures();

}  // namespace hearth
