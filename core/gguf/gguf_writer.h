#pragma once
// Builds a GGUF file in memory (metadata and tensors) and writes it as GGUF v3 (or v2 on request),
// to a byte vector or atomically to a path. Used by tests, the quantizer and model generators.
//
//   GgufWriter w;
//   w.set("general.architecture", "llama");
//   w.set_u32("llama.block_count", 2);
//   w.set_array_strings("tokenizer.ggml.tokens", tokens);
//   w.add_tensor("token_embd.weight", DType::F32, {64, 100}, bytes);
//   w.write_file(path);
//
// Invalid input (empty names, duplicate tensors, a data size that does not match the shape, ...)
// throws Error(bad_request); file system failures throw Error(io).
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/gguf/gguf_file.h"
#include "core/quant/dtype.h"

namespace hearth::gguf {

class GgufWriter {
public:
    // Metadata. Setting a key again replaces its value and keeps its original position.
    void set(std::string_view key, std::string_view value) { set_string(key, value); }
    void set(std::string_view key, const char* value) { set_string(key, value); }
    void set_string(std::string_view key, std::string_view value);
    void set_u8(std::string_view key, uint8_t value);
    void set_i8(std::string_view key, int8_t value);
    void set_u16(std::string_view key, uint16_t value);
    void set_i16(std::string_view key, int16_t value);
    void set_u32(std::string_view key, uint32_t value);
    void set_i32(std::string_view key, int32_t value);
    void set_u64(std::string_view key, uint64_t value);
    void set_i64(std::string_view key, int64_t value);
    void set_f32(std::string_view key, float value);
    void set_f64(std::string_view key, double value);
    void set_bool(std::string_view key, bool value);

    void set_array_strings(std::string_view key, std::span<const std::string> values);
    void set_array_strings(std::string_view key, std::span<const std::string_view> values);
    void set_array_strings(std::string_view key, std::initializer_list<std::string_view> values);
    void set_array_u8(std::string_view key, std::span<const uint8_t> values);
    void set_array_i8(std::string_view key, std::span<const int8_t> values);
    void set_array_u16(std::string_view key, std::span<const uint16_t> values);
    void set_array_i16(std::string_view key, std::span<const int16_t> values);
    void set_array_u32(std::string_view key, std::span<const uint32_t> values);
    void set_array_i32(std::string_view key, std::span<const int32_t> values);
    void set_array_u64(std::string_view key, std::span<const uint64_t> values);
    void set_array_i64(std::string_view key, std::span<const int64_t> values);
    void set_array_f32(std::string_view key, std::span<const float> values);
    void set_array_f64(std::string_view key, std::span<const double> values);
    void set_array_bool(std::string_view key, std::span<const bool> values);

    // Copies a value read by GgufFile (any type, arrays included), e.g. to carry metadata over
    // into a re-quantized file. Integers must fit the value's declared type.
    void set_value(std::string_view key, const Value& value);
    bool has(std::string_view key) const;
    void erase(std::string_view key);

    // Writes general.alignment (u32); must be a nonzero power of two. The default is 32.
    void set_alignment(uint32_t alignment);
    // GGUF version to write: 3 (default) or 2, whose layout is the same on little-endian hosts.
    void set_version(uint32_t version);

    // Tensors, written in the order added. shape is in ggml order (shape[0] innermost); data must
    // hold exactly the bytes the type and shape need. add_tensor copies the bytes;
    // add_tensor_view borrows them, and they must stay alive until the last write.
    void add_tensor(std::string name, DType type, std::vector<int64_t> shape, std::span<const uint8_t> data);
    void add_tensor_view(std::string name, DType type, std::vector<int64_t> shape, std::span<const uint8_t> data);
    size_t tensor_count() const { return tensors_.size(); }

    std::vector<uint8_t> to_bytes() const;
    // Writes to a temporary file beside `path`, syncs it, then renames it over `path`.
    void write_file(const std::string& path) const;

private:
    struct MetaEntry {
        std::string key;
        ValueType type;
        std::vector<uint8_t> payload;  // the value as encoded in the file (arrays: type, count, elements)
    };
    struct TensorEntry {
        std::string name;
        DType type;
        std::vector<int64_t> shape;
        std::vector<uint8_t> owned;     // add_tensor's copy
        std::span<const uint8_t> view;  // add_tensor_view's borrowed bytes
        std::span<const uint8_t> bytes() const { return owned.empty() ? view : std::span<const uint8_t>(owned); }
    };
    template <class T>
    void set_scalar(std::string_view key, ValueType type, T value);
    template <class T>
    void set_number_array(std::string_view key, ValueType elem_type, std::span<const T> values);
    template <class Strings>
    void set_string_array(std::string_view key, const Strings& values);
    void set_array_value(std::string_view key, const Array& array);
    void put_entry(std::string_view key, ValueType type, std::vector<uint8_t> payload);
    TensorEntry& add_tensor_entry(std::string name, DType type, std::vector<int64_t> shape, size_t nbytes);
    uint64_t alignment() const;
    std::vector<uint8_t> header_bytes(uint64_t alignment) const;  // everything before the data section
    template <class Sink>
    void emit(Sink&& sink) const;

    uint32_t version_ = 3;
    std::vector<MetaEntry> entries_;
    std::vector<TensorEntry> tensors_;
};

}  // namespace hearth::gguf
