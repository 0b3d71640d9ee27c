#include "models/weight_loader.h"

#include <string>

#include "core/error.h"

namespace hearth {
namespace {

std::string key(std::string_view arch, std::string_view name) { return std::string(arch) + "." + std::string(name); }

int32_t positive_int(const gguf::GgufFile& file, const std::string& name, int64_t max = 1 << 24) {
    const int64_t value = file.get_int(name);
    require(value > 0 && value <= max, ErrorKind::bad_file,
            "metadata " + name + " = " + std::to_string(value) + " is out of range");
    return static_cast<int32_t>(value);
}

std::string shape_text(int64_t in, int64_t out) {
    return out == 0 ? "[" + std::to_string(in) + "]" : "[" + std::to_string(in) + ", " + std::to_string(out) + "]";
}

}  // namespace

std::string layer_tensor(int layer, std::string_view name) {
    return "blk." + std::to_string(layer) + "." + std::string(name) + ".weight";
}

std::optional<Weight> WeightLoader::find(const std::string& name, int64_t in, int64_t out) const {
    const gguf::TensorInfo* tensor = file_.find_tensor(name);
    if (!tensor) return std::nullopt;
    const bool vector_ok = out == 0 && tensor->shape.size() == 1 && tensor->shape[0] == in;
    const bool matrix_ok = out != 0 && tensor->shape.size() == 2 && tensor->shape[0] == in && tensor->shape[1] == out;
    if (!vector_ok && !matrix_ok) {
        std::string actual = "[";
        for (size_t i = 0; i < tensor->shape.size(); ++i) actual += (i ? ", " : "") + std::to_string(tensor->shape[i]);
        throw Error(ErrorKind::bad_file, "tensor " + name + " has shape " + actual + "], expected " + shape_text(in, out));
    }
    return backend_.upload(*tensor);
}

Weight WeightLoader::get(const std::string& name, int64_t in, int64_t out) const {
    auto weight = find(name, in, out);
    require(weight.has_value(), ErrorKind::bad_file, "tensor " + name + " is missing");
    return *weight;
}

Weight WeightLoader::get_any_shape(const std::string& name) const { return backend_.upload(file_.get_tensor(name)); }

ModelConfig read_base_config(const gguf::GgufFile& file, std::string_view arch, const Weight& token_embd) {
    ModelConfig c;
    c.architecture = std::string(arch);
    c.n_layer = positive_int(file, key(arch, "block_count"), 4096);
    c.n_embd = positive_int(file, key(arch, "embedding_length"));
    c.n_ff = positive_int(file, key(arch, "feed_forward_length"));
    c.n_head = positive_int(file, key(arch, "attention.head_count"), 4096);
    const std::string kv_key = key(arch, "attention.head_count_kv");
    c.n_head_kv = file.has(kv_key) ? positive_int(file, kv_key, 4096) : c.n_head;
    require(c.n_head % c.n_head_kv == 0, ErrorKind::bad_file, "head_count is not a multiple of head_count_kv");
    const std::string head_key = key(arch, "attention.key_length");
    require(file.has(head_key) || c.n_embd % c.n_head == 0, ErrorKind::bad_file,
            "embedding_length is not a multiple of head_count");
    c.head_dim = file.has(head_key) ? positive_int(file, head_key, 4096) : c.n_embd / c.n_head;
    const std::string value_key = key(arch, "attention.value_length");
    require(!file.has(value_key) || file.get_int(value_key) == c.head_dim, ErrorKind::unsupported,
            "key and value head sizes differ");
    c.n_ctx_train = positive_int(file, key(arch, "context_length"), 1 << 24);
    c.norm_eps = static_cast<float>(file.get_float(key(arch, "attention.layer_norm_rms_epsilon")));
    require(c.norm_eps > 0.0f && c.norm_eps < 1.0f, ErrorKind::bad_file, "rms norm epsilon out of range");
    require(token_embd.in == c.n_embd, ErrorKind::bad_file, "token_embd.weight rows do not match embedding_length");
    c.n_vocab = static_cast<int32_t>(token_embd.out);
    const std::string experts = key(arch, "expert_count");
    require(!file.has(experts) || file.get_int(experts) == 0, ErrorKind::unsupported,
            "mixture-of-experts models are not supported yet");
    return c;
}

RopeParams read_rope(const gguf::GgufFile& file, std::string_view arch, const ModelConfig& config, RopeStyle style) {
    RopeParams rope;
    rope.style = style;
    rope.freq_base = static_cast<float>(file.find_float(key(arch, "rope.freq_base")).value_or(10000.0));
    rope.n_dims = static_cast<int32_t>(file.find_int(key(arch, "rope.dimension_count")).value_or(config.head_dim));
    require(rope.freq_base > 0.0f, ErrorKind::bad_file, "rope.freq_base must be positive");
    require(rope.n_dims > 0 && rope.n_dims <= config.head_dim && rope.n_dims % 2 == 0, ErrorKind::bad_file,
            "rope.dimension_count must be even and at most the head size");
    const std::string type(file.find_string(key(arch, "rope.scaling.type")).value_or("none"));
    const double factor = file.find_float(key(arch, "rope.scaling.factor")).value_or(1.0);
    if (type == "linear") {
        require(factor > 0.0, ErrorKind::bad_file, "rope.scaling.factor must be positive");
        rope.freq_scale = static_cast<float>(1.0 / factor);
    } else {
        require(type == "none" || (type == "llama3"), ErrorKind::unsupported,
                "rope scaling type '" + type + "' is not supported (supported: none, linear, llama3 frequency factors)");
    }
    return rope;
}

}  // namespace hearth
