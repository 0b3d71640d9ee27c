// Reads the tokenizer metadata of a GGUF file into a VocabSpec, checking each key's type.
#include "core/error.h"
#include "core/gguf/gguf_file.h"
#include "core/tokenizer/vocab.h"

namespace hearth::tokenizer {
namespace {

using gguf::Array;
using gguf::GgufFile;
using gguf::ValueType;

bool is_integer_type(ValueType type) {
    switch (type) {
        case ValueType::u8:
        case ValueType::i8:
        case ValueType::u16:
        case ValueType::i16:
        case ValueType::u32:
        case ValueType::i32:
        case ValueType::u64:
        case ValueType::i64: return true;
        default: return false;
    }
}

[[noreturn]] void wrong_array(std::string_view key, const Array& array, const char* wanted) {
    throw Error(ErrorKind::bad_file, std::string(key) + " must be an array of " + wanted + ", not of " +
                                         std::string(gguf::to_string(array.elem_type)));
}

std::vector<std::string> string_array(const GgufFile& file, std::string_view key) {
    const Array* array = file.find_array(key);
    if (!array) return {};
    if (array->elem_type != ValueType::string) wrong_array(key, *array, "strings");
    return {array->strings.begin(), array->strings.end()};
}

std::vector<float> float_array(const GgufFile& file, std::string_view key) {
    const Array* array = file.find_array(key);
    if (!array) return {};
    std::vector<float> out;
    out.reserve(array->size());
    if (array->elem_type == ValueType::f32 || array->elem_type == ValueType::f64) {
        for (double value : array->floats) out.push_back(static_cast<float>(value));
    } else if (is_integer_type(array->elem_type)) {
        for (int64_t value : array->ints) out.push_back(static_cast<float>(value));  // llama.cpp accepts i32 scores
    } else {
        wrong_array(key, *array, "numbers");
    }
    return out;
}

std::vector<int64_t> int_array(const GgufFile& file, std::string_view key) {
    const Array* array = file.find_array(key);
    if (!array) return {};
    if (!is_integer_type(array->elem_type)) wrong_array(key, *array, "integers");
    return array->ints;
}

}  // namespace

VocabSpec read_vocab_spec(const GgufFile& file) {
    VocabSpec spec;
    const auto model = file.find_string("tokenizer.ggml.model");
    if (!model) throw Error(ErrorKind::bad_file, "tokenizer.ggml.model is missing: the file has no tokenizer");
    spec.model = std::string(*model);
    spec.pre = std::string(file.find_string("tokenizer.ggml.pre").value_or(""));
    if (!file.find_array("tokenizer.ggml.tokens")) throw Error(ErrorKind::bad_file, "tokenizer.ggml.tokens is missing");
    spec.tokens = string_array(file, "tokenizer.ggml.tokens");
    spec.scores = float_array(file, "tokenizer.ggml.scores");
    spec.token_types = int_array(file, "tokenizer.ggml.token_type");
    spec.merges = string_array(file, "tokenizer.ggml.merges");

    spec.bos_id = file.find_int("tokenizer.ggml.bos_token_id");
    spec.eos_id = file.find_int("tokenizer.ggml.eos_token_id");
    spec.unknown_id = file.find_int("tokenizer.ggml.unknown_token_id");
    spec.padding_id = file.find_int("tokenizer.ggml.padding_token_id");
    spec.eot_id = file.find_int("tokenizer.ggml.eot_token_id");
    spec.eom_id = file.find_int("tokenizer.ggml.eom_token_id");
    spec.fim_pre_id = file.find_int("tokenizer.ggml.fim_pre_token_id");
    spec.fim_suf_id = file.find_int("tokenizer.ggml.fim_suf_token_id");
    spec.fim_mid_id = file.find_int("tokenizer.ggml.fim_mid_token_id");
    spec.fim_pad_id = file.find_int("tokenizer.ggml.fim_pad_token_id");
    spec.fim_rep_id = file.find_int("tokenizer.ggml.fim_rep_token_id");
    spec.fim_sep_id = file.find_int("tokenizer.ggml.fim_sep_token_id");

    spec.add_bos = file.find_bool("tokenizer.ggml.add_bos_token");
    spec.add_eos = file.find_bool("tokenizer.ggml.add_eos_token");
    spec.add_space_prefix = file.find_bool("tokenizer.ggml.add_space_prefix");
    spec.remove_extra_whitespaces = file.find_bool("tokenizer.ggml.remove_extra_whitespaces");
    spec.model_name = std::string(file.find_string("general.name").value_or(""));
    return spec;
}

}  // namespace hearth::tokenizer
