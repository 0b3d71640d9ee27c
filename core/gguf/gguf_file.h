#pragma once
// Read-only view of a GGUF (v2/v3) file over mmap. Every offset, size and count is checked
// against the file at open(); after that, all accessors are safe. Bad files throw
// hearth::Error(ErrorKind::bad_file) with a message naming the problem.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/quant/dtype.h"

namespace hearth::gguf {

// GGUF metadata value types, numbered as in the file format.
enum class ValueType : uint32_t {
    u8 = 0, i8 = 1, u16 = 2, i16 = 3, u32 = 4, i32 = 5, f32 = 6, boolean = 7,
    string = 8, array = 9, u64 = 10, i64 = 11, f64 = 12,
};
std::string_view to_string(ValueType type);

// A metadata array. Strings point into the mapped file; numbers are widened for easy access.
struct Array {
    ValueType elem_type = ValueType::u8;
    std::vector<std::string_view> strings;  // when elem_type == string
    std::vector<int64_t> ints;              // integer and bool elements (u64 values above INT64_MAX are rejected)
    std::vector<double> floats;             // f32/f64 elements
    size_t size() const;
    bool operator==(const Array&) const = default;
};

struct Value {
    ValueType type = ValueType::u8;
    std::variant<uint64_t, int64_t, double, bool, std::string_view, Array> data;
    bool operator==(const Value&) const = default;
};

struct TensorInfo {
    std::string name;
    DType type = DType::F32;
    std::vector<int64_t> shape;  // ggml order: shape[0] is the innermost (contiguous) dimension
    uint64_t offset = 0;         // relative to the start of the tensor data section
    uint64_t nbytes = 0;
    const uint8_t* data = nullptr;  // into the mapping (or the in-memory buffer)
    int64_t elements() const;
    int64_t rows() const { return shape.empty() ? 0 : elements() / shape[0]; }
};

class GgufFile {
public:
    // Maps and validates a file. Throws Error(bad_file) or Error(io).
    static std::unique_ptr<GgufFile> open(const std::string& path);
    // Parses a caller-owned buffer (tests, fuzzing). The buffer must outlive the result.
    static std::unique_ptr<GgufFile> from_memory(std::span<const uint8_t> bytes);
    ~GgufFile();
    GgufFile(const GgufFile&) = delete;
    GgufFile& operator=(const GgufFile&) = delete;

    uint32_t version() const;
    uint64_t alignment() const;
    const std::string& path() const;  // empty for from_memory
    uint64_t file_size() const;
    uint64_t data_offset() const;  // byte where the tensor data section starts

    const std::map<std::string, Value, std::less<>>& metadata() const;
    const Value* find(std::string_view key) const;
    bool has(std::string_view key) const { return find(key) != nullptr; }

    // Typed lookups. find_* return nullopt when the key is absent and throw Error(bad_file) when
    // it is present with an incompatible type. Integers convert between widths when the value fits.
    std::optional<std::string_view> find_string(std::string_view key) const;
    std::optional<int64_t> find_int(std::string_view key) const;
    std::optional<double> find_float(std::string_view key) const;  // accepts integer values too
    std::optional<bool> find_bool(std::string_view key) const;
    const Array* find_array(std::string_view key) const;
    // The same, but an absent key throws Error(bad_file) naming the key.
    std::string_view get_string(std::string_view key) const;
    int64_t get_int(std::string_view key) const;
    double get_float(std::string_view key) const;
    bool get_bool(std::string_view key) const;
    const Array& get_array(std::string_view key) const;

    const std::vector<TensorInfo>& tensors() const;
    const TensorInfo* find_tensor(std::string_view name) const;
    const TensorInfo& get_tensor(std::string_view name) const;  // absent: Error(bad_file)

    struct Impl;

private:
    explicit GgufFile(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace hearth::gguf
