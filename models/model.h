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

// One step's input: rows of tokens from one or more sequences, each with its position and its
// sequence's index into block_tables (see BatchRows), and which rows need logits.
struct ForwardBatch {
    std::span<const int32_t> tokens;
    std::span<const int32_t> positions;
    std::span<const int32_t> sequences;
    std::span<const std::span<const int32_t>> block_tables;
    std::span<const int32_t> logit_rows;  // indices into tokens
};

class Model {
public:
    virtual ~Model() = default;
    const ModelConfig& config() const { return config_; }
    Backend& backend() const { return backend_; }

    std::unique_ptr<KvPages> create_kv_pages(int32_t n_pages, int32_t page_size, DType type = DType::F16) const {
        return backend_.create_kv_pages(KvLayout{config_.n_layer, config_.kv_dim(), page_size, n_pages, type, config_.head_dim});
    }
    int64_t kv_bytes_per_token(DType type = DType::F16) const {
        return KvLayout{config_.n_layer, config_.kv_dim(), 1, 1, type}.bytes();
    }
    // Runs the batch, storing its keys and values in the pages its block tables name; writes
    // logit_rows.size() x n_vocab floats to logits.
    virtual void forward(const ForwardBatch& batch, KvPages& pages, std::span<float> logits) = 0;

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
