#include "core/gguf/gguf_writer.h"

#include <algorithm>
#include <cstring>
#include <utility>
#include <variant>

#include "core/error.h"
#include "core/gguf/atomic_file.h"
#include "core/gguf/gguf_format.h"

namespace hearth::gguf {
namespace {

[[noreturn]] void reject(const std::string& message) { throw Error(ErrorKind::bad_request, "GgufWriter: " + message); }

template <class T>
void put(std::vector<uint8_t>& out, T value) {
    uint8_t raw[sizeof(T)];
    std::memcpy(raw, &value, sizeof(T));
    out.insert(out.end(), raw, raw + sizeof(T));
}

void put_string(std::vector<uint8_t>& out, std::string_view text) {
    put<uint64_t>(out, text.size());
    out.insert(out.end(), text.begin(), text.end());
}

void check_key(std::string_view key) {
    if (key.empty()) reject("empty metadata key");
}

// Integer payload of a Value read by GgufFile, checked to fit the value's declared type T.
template <class T>
T checked_integer(const Value& value, std::string_view key) {
    const std::string where = "value of '" + std::string(key) + "'";
    if (const auto* as_unsigned = std::get_if<uint64_t>(&value.data)) {
        if (std::in_range<T>(*as_unsigned)) return static_cast<T>(*as_unsigned);
    } else if (const auto* as_signed = std::get_if<int64_t>(&value.data)) {
        if (std::in_range<T>(*as_signed)) return static_cast<T>(*as_signed);
    } else {
        reject(where + " is not an integer");
    }
    reject(where + " does not fit in " + std::string(to_string(value.type)));
}

template <class T>
std::vector<T> checked_elements(const std::vector<int64_t>& ints, std::string_view key) {
    std::vector<T> out;
    out.reserve(ints.size());
    for (const int64_t value : ints) {
        if (!std::in_range<T>(value))
            reject("array '" + std::string(key) + "' element " + std::to_string(value) + " does not fit its type");
        out.push_back(static_cast<T>(value));
    }
    return out;
}

template <class T>
const T& alternative(const Value& value, std::string_view key) {
    if (const auto* held = std::get_if<T>(&value.data)) return *held;
    reject("value of '" + std::string(key) + "' does not hold what its type " + std::string(to_string(value.type)) +
           " needs");
}

}  // namespace

template <class T>
void GgufWriter::set_scalar(std::string_view key, ValueType type, T value) {
    std::vector<uint8_t> payload;
    put(payload, value);
    put_entry(key, type, std::move(payload));
}

template <class T>
void GgufWriter::set_number_array(std::string_view key, ValueType elem_type, std::span<const T> values) {
    std::vector<uint8_t> payload;
    payload.reserve(12 + values.size() * sizeof(T));
    put(payload, static_cast<uint32_t>(elem_type));
    put<uint64_t>(payload, values.size());
    for (const T value : values) put(payload, value);
    put_entry(key, ValueType::array, std::move(payload));
}

template <class Strings>
void GgufWriter::set_string_array(std::string_view key, const Strings& values) {
    std::vector<uint8_t> payload;
    put(payload, static_cast<uint32_t>(ValueType::string));
    put<uint64_t>(payload, values.size());
    for (std::string_view text : values) put_string(payload, text);
    put_entry(key, ValueType::array, std::move(payload));
}

void GgufWriter::put_entry(std::string_view key, ValueType type, std::vector<uint8_t> payload) {
    check_key(key);
    const auto it = std::find_if(entries_.begin(), entries_.end(), [&](const MetaEntry& e) { return e.key == key; });
    if (it != entries_.end()) {
        it->type = type;
        it->payload = std::move(payload);
    } else {
        entries_.push_back({std::string(key), type, std::move(payload)});
    }
}

void GgufWriter::set_string(std::string_view key, std::string_view value) {
    std::vector<uint8_t> payload;
    put_string(payload, value);
    put_entry(key, ValueType::string, std::move(payload));
}

void GgufWriter::set_u8(std::string_view key, uint8_t value) { set_scalar(key, ValueType::u8, value); }
void GgufWriter::set_i8(std::string_view key, int8_t value) { set_scalar(key, ValueType::i8, value); }
void GgufWriter::set_u16(std::string_view key, uint16_t value) { set_scalar(key, ValueType::u16, value); }
void GgufWriter::set_i16(std::string_view key, int16_t value) { set_scalar(key, ValueType::i16, value); }
void GgufWriter::set_u32(std::string_view key, uint32_t value) { set_scalar(key, ValueType::u32, value); }
void GgufWriter::set_i32(std::string_view key, int32_t value) { set_scalar(key, ValueType::i32, value); }
void GgufWriter::set_u64(std::string_view key, uint64_t value) { set_scalar(key, ValueType::u64, value); }
void GgufWriter::set_i64(std::string_view key, int64_t value) { set_scalar(key, ValueType::i64, value); }
void GgufWriter::set_f32(std::string_view key, float value) { set_scalar(key, ValueType::f32, value); }
void GgufWriter::set_f64(std::string_view key, double value) { set_scalar(key, ValueType::f64, value); }
void GgufWriter::set_bool(std::string_view key, bool value) {
    set_scalar(key, ValueType::boolean, static_cast<uint8_t>(value ? 1 : 0));
}

void GgufWriter::set_array_strings(std::string_view key, std::span<const std::string> values) {
    set_string_array(key, values);
}
void GgufWriter::set_array_strings(std::string_view key, std::span<const std::string_view> values) {
    set_string_array(key, values);
}
void GgufWriter::set_array_strings(std::string_view key, std::initializer_list<std::string_view> values) {
    set_string_array(key, values);
}
void GgufWriter::set_array_u8(std::string_view key, std::span<const uint8_t> values) {
    set_number_array(key, ValueType::u8, values);
}
void GgufWriter::set_array_i8(std::string_view key, std::span<const int8_t> values) {
    set_number_array(key, ValueType::i8, values);
}
void GgufWriter::set_array_u16(std::string_view key, std::span<const uint16_t> values) {
    set_number_array(key, ValueType::u16, values);
}
void GgufWriter::set_array_i16(std::string_view key, std::span<const int16_t> values) {
    set_number_array(key, ValueType::i16, values);
}
void GgufWriter::set_array_u32(std::string_view key, std::span<const uint32_t> values) {
    set_number_array(key, ValueType::u32, values);
}
void GgufWriter::set_array_i32(std::string_view key, std::span<const int32_t> values) {
    set_number_array(key, ValueType::i32, values);
}
void GgufWriter::set_array_u64(std::string_view key, std::span<const uint64_t> values) {
    set_number_array(key, ValueType::u64, values);
}
void GgufWriter::set_array_i64(std::string_view key, std::span<const int64_t> values) {
    set_number_array(key, ValueType::i64, values);
}
void GgufWriter::set_array_f32(std::string_view key, std::span<const float> values) {
    set_number_array(key, ValueType::f32, values);
}
void GgufWriter::set_array_f64(std::string_view key, std::span<const double> values) {
    set_number_array(key, ValueType::f64, values);
}
void GgufWriter::set_array_bool(std::string_view key, std::span<const bool> values) {
    std::vector<uint8_t> bytes(values.begin(), values.end());
    set_number_array(key, ValueType::boolean, std::span<const uint8_t>(bytes));
}

void GgufWriter::set_value(std::string_view key, const Value& value) {
    switch (value.type) {
        case ValueType::u8: return set_u8(key, checked_integer<uint8_t>(value, key));
        case ValueType::i8: return set_i8(key, checked_integer<int8_t>(value, key));
        case ValueType::u16: return set_u16(key, checked_integer<uint16_t>(value, key));
        case ValueType::i16: return set_i16(key, checked_integer<int16_t>(value, key));
        case ValueType::u32: return set_u32(key, checked_integer<uint32_t>(value, key));
        case ValueType::i32: return set_i32(key, checked_integer<int32_t>(value, key));
        case ValueType::u64: return set_u64(key, checked_integer<uint64_t>(value, key));
        case ValueType::i64: return set_i64(key, checked_integer<int64_t>(value, key));
        case ValueType::f32: return set_f32(key, static_cast<float>(alternative<double>(value, key)));
        case ValueType::f64: return set_f64(key, alternative<double>(value, key));
        case ValueType::boolean: return set_bool(key, alternative<bool>(value, key));
        case ValueType::string: return set_string(key, alternative<std::string_view>(value, key));
        case ValueType::array: return set_array_value(key, alternative<Array>(value, key));
    }
    reject("value of '" + std::string(key) + "' has an unknown type");
}

void GgufWriter::set_array_value(std::string_view key, const Array& array) {
    const auto& ints = array.ints;
    switch (array.elem_type) {
        case ValueType::u8: return set_array_u8(key, checked_elements<uint8_t>(ints, key));
        case ValueType::i8: return set_array_i8(key, checked_elements<int8_t>(ints, key));
        case ValueType::u16: return set_array_u16(key, checked_elements<uint16_t>(ints, key));
        case ValueType::i16: return set_array_i16(key, checked_elements<int16_t>(ints, key));
        case ValueType::u32: return set_array_u32(key, checked_elements<uint32_t>(ints, key));
        case ValueType::i32: return set_array_i32(key, checked_elements<int32_t>(ints, key));
        case ValueType::u64: return set_array_u64(key, checked_elements<uint64_t>(ints, key));
        case ValueType::i64: return set_array_i64(key, ints);
        case ValueType::boolean: {
            const std::vector<uint8_t> bytes = checked_elements<uint8_t>(ints, key);
            if (std::any_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b > 1; }))
                reject("array '" + std::string(key) + "' has a bool element other than 0 or 1");
            return set_number_array(key, ValueType::boolean, std::span<const uint8_t>(bytes));
        }
        case ValueType::f32: {
            const std::vector<float> narrowed(array.floats.begin(), array.floats.end());
            return set_array_f32(key, narrowed);
        }
        case ValueType::f64: return set_array_f64(key, array.floats);
        case ValueType::string: return set_string_array(key, array.strings);
        case ValueType::array: break;
    }
    reject("array '" + std::string(key) + "' has an unsupported element type");
}

bool GgufWriter::has(std::string_view key) const {
    return std::any_of(entries_.begin(), entries_.end(), [&](const MetaEntry& e) { return e.key == key; });
}

void GgufWriter::erase(std::string_view key) {
    std::erase_if(entries_, [&](const MetaEntry& e) { return e.key == key; });
}

void GgufWriter::set_alignment(uint32_t alignment) {
    if (!is_power_of_two(alignment))
        reject("alignment " + std::to_string(alignment) + " is not a nonzero power of two");
    if (alignment > kMaxAlignment)
        reject("alignment " + std::to_string(alignment) + " is larger than " + std::to_string(kMaxAlignment));
    set_u32(kAlignmentKey, alignment);
}

void GgufWriter::set_version(uint32_t version) {
    if (version != 2 && version != 3) reject("can only write GGUF version 2 or 3, not " + std::to_string(version));
    version_ = version;
}

GgufWriter::TensorEntry& GgufWriter::add_tensor_entry(std::string name, DType type, std::vector<int64_t> shape,
                                                      size_t nbytes) {
    if (name.empty()) reject("empty tensor name");
    const std::string where = "tensor '" + name + "': ";
    if (std::any_of(tensors_.begin(), tensors_.end(), [&](const TensorEntry& t) { return t.name == name; }))
        reject(where + "duplicate name");
    if (shape.empty() || shape.size() > kMaxDims) reject(where + "needs 1 to 4 dimensions");
    uint64_t elements = 1;
    for (const int64_t dim : shape) {
        if (dim <= 0) reject(where + "dimension " + std::to_string(dim) + " is not positive");
        if (elements > static_cast<uint64_t>(INT64_MAX) / static_cast<uint64_t>(dim))
            reject(where + "too many elements");
        elements *= static_cast<uint64_t>(dim);
    }
    const DTypeInfo& info = dtype_info(type);
    if (static_cast<uint64_t>(shape[0]) % info.block_elems != 0)
        reject(where + "innermost dimension " + std::to_string(shape[0]) + " is not a multiple of the " +
               std::string(info.name) + " block size " + std::to_string(info.block_elems));
    const uint64_t expected = elements / info.block_elems * info.block_bytes;
    if (nbytes != expected)
        reject(where + "has " + std::to_string(nbytes) + " bytes of data, its type and shape need " +
               std::to_string(expected));
    TensorEntry& entry = tensors_.emplace_back();
    entry.name = std::move(name);
    entry.type = type;
    entry.shape = std::move(shape);
    return entry;
}

void GgufWriter::add_tensor(std::string name, DType type, std::vector<int64_t> shape, std::span<const uint8_t> data) {
    TensorEntry& entry = add_tensor_entry(std::move(name), type, std::move(shape), data.size());
    entry.owned.assign(data.begin(), data.end());
}

void GgufWriter::add_tensor_view(std::string name, DType type, std::vector<int64_t> shape,
                                 std::span<const uint8_t> data) {
    add_tensor_entry(std::move(name), type, std::move(shape), data.size()).view = data;
}

uint64_t GgufWriter::alignment() const {
    const auto it =
        std::find_if(entries_.begin(), entries_.end(), [](const MetaEntry& e) { return e.key == kAlignmentKey; });
    if (it == entries_.end()) return kDefaultAlignment;
    if (it->type != ValueType::u32) reject(std::string(kAlignmentKey) + " must be a u32");
    uint32_t alignment = 0;
    std::memcpy(&alignment, it->payload.data(), sizeof(alignment));
    if (!is_power_of_two(alignment)) reject(std::string(kAlignmentKey) + " is not a nonzero power of two");
    return alignment;
}

std::vector<uint8_t> GgufWriter::header_bytes(uint64_t alignment) const {
    std::vector<uint8_t> out(std::begin(kMagic), std::end(kMagic));
    put<uint32_t>(out, version_);
    put<uint64_t>(out, tensors_.size());
    put<uint64_t>(out, entries_.size());
    for (const MetaEntry& entry : entries_) {
        put_string(out, entry.key);
        put(out, static_cast<uint32_t>(entry.type));
        out.insert(out.end(), entry.payload.begin(), entry.payload.end());
    }
    uint64_t offset = 0;
    for (const TensorEntry& tensor : tensors_) {
        put_string(out, tensor.name);
        put<uint32_t>(out, static_cast<uint32_t>(tensor.shape.size()));
        for (const int64_t dim : tensor.shape) put<uint64_t>(out, static_cast<uint64_t>(dim));
        put(out, static_cast<uint32_t>(tensor.type));
        put<uint64_t>(out, offset);
        offset = align_up(offset + tensor.bytes().size(), alignment);
    }
    out.resize(align_up(out.size(), alignment), 0);
    return out;
}

// Feeds the whole file to sink(span) in order: header, then each tensor padded to the alignment.
template <class Sink>
void GgufWriter::emit(Sink&& sink) const {
    const uint64_t align = alignment();
    const std::vector<uint8_t> header = header_bytes(align);
    sink(std::span<const uint8_t>(header));
    const std::vector<uint8_t> zeros(align, 0);
    for (size_t i = 0; i < tensors_.size(); ++i) {
        const auto bytes = tensors_[i].bytes();
        sink(bytes);
        // The last tensor needs no padding after it.
        if (i + 1 < tensors_.size())
            sink(std::span<const uint8_t>(zeros).first(align_up(bytes.size(), align) - bytes.size()));
    }
}

std::vector<uint8_t> GgufWriter::to_bytes() const {
    std::vector<uint8_t> out;
    emit([&](std::span<const uint8_t> bytes) { out.insert(out.end(), bytes.begin(), bytes.end()); });
    return out;
}

void GgufWriter::write_file(const std::string& path) const {
    AtomicFileWriter file(path);
    emit([&](std::span<const uint8_t> bytes) { file.write(bytes); });
    file.commit();
}

}  // namespace hearth::gguf
