#pragma once
// Reads hyper-parameters and uploads named tensors, checking shapes against what the
// architecture expects, so a malformed file fails at load with a message naming the tensor.
#include <optional>
#include <string>
#include <string_view>

#include "backends/backend.h"
#include "core/gguf/gguf_file.h"
#include "models/model.h"

namespace hearth {

class WeightLoader {
public:
    WeightLoader(const gguf::GgufFile& file, Backend& backend) : file_(file), backend_(backend) {}

    // A matrix with rows of length `in` and `out` rows (GGUF shape [in, out]); out == 0 for a vector.
    Weight get(const std::string& name, int64_t in, int64_t out = 0) const;
    std::optional<Weight> find(const std::string& name, int64_t in, int64_t out = 0) const;
    // A weight whose shape is only known from the file (the token embedding sets the vocabulary size).
    Weight get_any_shape(const std::string& name) const;

private:
    const gguf::GgufFile& file_;
    Backend& backend_;
};

// The hyper-parameters every decoder-only family stores under "<arch>.": layers, widths, heads,
// norm epsilon, context length; the vocabulary size comes from the token embedding.
ModelConfig read_base_config(const gguf::GgufFile& file, std::string_view arch, const Weight& token_embd);

// "<arch>.rope.*": base frequency, rotated dimensions and linear scaling. YaRN and other scaling
// types are rejected with Error(unsupported).
RopeParams read_rope(const gguf::GgufFile& file, std::string_view arch, const ModelConfig& config, RopeStyle style);

std::string layer_tensor(int layer, std::string_view name);  // "blk.<layer>.<name>.weight"

}  // namespace hearth
