#include "tests/gguf/sample_gguf.h"

#include <random>
#include <string>

namespace hearth::test {
namespace {

struct SampleTensor {
    const char* name;
    DType type;
    std::vector<int64_t> shape;
};

std::vector<uint8_t> random_bytes(size_t count, std::mt19937& rng) {
    std::vector<uint8_t> bytes(count);
    for (auto& byte : bytes) byte = static_cast<uint8_t>(rng());
    return bytes;
}

}  // namespace

gguf::GgufWriter make_sample_writer(const SampleOptions& options) {
    gguf::GgufWriter writer;
    writer.set_version(options.version);
    if (options.alignment != 32) writer.set_alignment(options.alignment);
    writer.set("general.architecture", "llama");
    writer.set("general.name", "sample");
    writer.set_u32("llama.block_count", 2);
    writer.set_u64("llama.context_length", 4096);
    writer.set_f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
    writer.set_bool("tokenizer.ggml.add_bos_token", true);
    writer.set_i32("tokenizer.ggml.padding_token_id", -1);
    writer.set_array_strings("tokenizer.ggml.tokens", {"<s>", "</s>", "a", "b", "ab", "", "\xE2\x96\x81hi"});
    writer.set_array_f32("tokenizer.ggml.scores", std::vector<float>{0.f, -1.f, -2.5f, 3.f, 1e9f, -0.f, 7.f});
    writer.set_array_i32("tokenizer.ggml.token_type", std::vector<int32_t>{3, 3, 1, 1, 1, 6, 1});
    writer.set_array_strings("tokenizer.ggml.merges", {"a b", "\xE2\x96\x81 h"});
    writer.set_array_u8("sample.bytes", std::vector<uint8_t>{0, 1, 255});

    const std::vector<SampleTensor> tensors = {
        {"token_embd.weight", DType::Q8_0, {64, 7}},
        {"output_norm.weight", DType::F32, {64}},
        {"blk.0.ffn_down.weight", DType::Q4_1, {32, 3, 2}},
        {"blk.0.attn_q.weight", DType::F16, {8, 2, 2, 1}},
    };
    std::mt19937 rng(options.seed);
    for (uint32_t i = 0; i < options.tensor_count && i < tensors.size(); ++i) {
        const SampleTensor& t = tensors[i];
        int64_t elements = 1;
        for (const int64_t dim : t.shape) elements *= dim;
        const DTypeInfo& info = dtype_info(t.type);
        const auto nbytes = static_cast<size_t>(elements) / info.block_elems * info.block_bytes;
        writer.add_tensor(t.name, t.type, t.shape, random_bytes(nbytes, rng));
    }
    return writer;
}

std::vector<uint8_t> make_sample_gguf(const SampleOptions& options) { return make_sample_writer(options).to_bytes(); }

}  // namespace hearth::test
