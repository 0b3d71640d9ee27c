#include "core/gguf/gguf_parser.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

#include "core/error.h"
#include "core/gguf/gguf_format.h"

namespace hearth::gguf {
namespace {

static_assert(std::endian::native == std::endian::little, "the GGUF reader assumes a little-endian host");

constexpr uint64_t kMaxInt64 = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
// Smallest possible encodings, used to bound counts by the bytes left before allocating.
constexpr uint64_t kMinKvBytes = 8 + 1 + 4 + 1;                // key length, 1-byte key, type, 1-byte value
constexpr uint64_t kMinTensorInfoBytes = 8 + 1 + 4 + 8 + 4 + 8;  // name, n_dims, one dim, type, offset

std::string num(uint64_t value) { return std::to_string(value); }
std::string at_byte(uint64_t pos) { return "at byte " + num(pos); }

// A name from the file, quoted for an error message: control and non-ASCII bytes escaped, and
// long names cut, so a hostile name cannot flood or garble the message.
std::string quoted(std::string_view name) {
    constexpr size_t kMaxShown = 80;
    std::string out = "'";
    for (size_t i = 0; i < name.size() && i < kMaxShown; ++i) {
        const auto c = static_cast<unsigned char>(name[i]);
        if (c >= 0x20 && c < 0x7F && c != '\\') {
            out += static_cast<char>(c);
        } else {
            constexpr char kHex[] = "0123456789abcdef";
            out += {'\\', 'x', kHex[c >> 4], kHex[c & 15]};
        }
    }
    if (name.size() > kMaxShown) out += "...";
    return out + "'";
}

[[noreturn]] void fail(const std::string& message) { throw Error(ErrorKind::bad_file, message); }

// Runs fn; an Error escaping it gets `context` prepended, so messages read outermost first.
template <class Fn>
auto with_context(const std::string& context, Fn&& fn) {
    try {
        return fn();
    } catch (const Error& e) {
        throw Error(e.kind(), context + ": " + e.what());
    }
}

class ByteReader {
public:
    explicit ByteReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}

    uint64_t pos() const { return pos_; }
    uint64_t remaining() const { return bytes_.size() - pos_; }

    void need(uint64_t n, std::string_view what) const {
        if (n > remaining())
            fail("truncated " + at_byte(pos_) + ": " + std::string(what) + " needs " + num(n) + " bytes, " +
                 num(remaining()) + " left");
    }

    template <class T>
    T read(std::string_view what) {
        need(sizeof(T), what);
        T value;
        std::memcpy(&value, bytes_.data() + pos_, sizeof(T));
        pos_ += sizeof(T);
        return value;
    }

    std::string_view read_string(std::string_view what) {
        const uint64_t start = pos_;
        const auto length = read<uint64_t>(what);
        if (length > remaining())
            fail(std::string(what) + " " + at_byte(start) + " claims " + num(length) + " bytes, but only " +
                 num(remaining()) + " remain");
        std::string_view text(reinterpret_cast<const char*>(bytes_.data() + pos_), length);
        pos_ += length;
        return text;
    }

private:
    std::span<const uint8_t> bytes_;
    uint64_t pos_ = 0;
};

ValueType read_value_type(ByteReader& reader, std::string_view what) {
    const uint64_t start = reader.pos();
    const auto id = reader.read<uint32_t>(what);
    const auto type = value_type_from_id(id);
    if (!type) fail("unknown " + std::string(what) + " " + num(id) + " " + at_byte(start) + " (known: 0 to 12)");
    return *type;
}

uint64_t read_unsigned(ByteReader& reader, ValueType type) {
    switch (type) {
        case ValueType::u8: return reader.read<uint8_t>("u8 value");
        case ValueType::u16: return reader.read<uint16_t>("u16 value");
        case ValueType::u32: return reader.read<uint32_t>("u32 value");
        default: return reader.read<uint64_t>("u64 value");
    }
}

int64_t read_signed(ByteReader& reader, ValueType type) {
    switch (type) {
        case ValueType::i8: return reader.read<int8_t>("i8 value");
        case ValueType::i16: return reader.read<int16_t>("i16 value");
        case ValueType::i32: return reader.read<int32_t>("i32 value");
        default: return reader.read<int64_t>("i64 value");
    }
}

double read_float(ByteReader& reader, ValueType type) {
    if (type == ValueType::f32) return reader.read<float>("f32 value");
    return reader.read<double>("f64 value");
}

bool read_bool(ByteReader& reader) {
    const uint64_t start = reader.pos();
    const auto byte = reader.read<uint8_t>("bool value");
    if (byte > 1) fail("bool value " + num(byte) + " " + at_byte(start) + " is neither 0 nor 1");
    return byte == 1;
}

// Integer and bool array elements, widened to int64 as Array documents.
int64_t read_int_element(ByteReader& reader, ValueType type) {
    if (type == ValueType::boolean) return read_bool(reader) ? 1 : 0;
    if (is_signed_int(type)) return read_signed(reader, type);
    const uint64_t start = reader.pos();
    const uint64_t value = read_unsigned(reader, type);
    if (value > kMaxInt64) fail("u64 element " + num(value) + " " + at_byte(start) + " exceeds INT64_MAX");
    return static_cast<int64_t>(value);
}

void read_array_elements(ByteReader& reader, uint64_t count, Array& array) {
    const ValueType type = array.elem_type;
    uint64_t index = 0;
    try {
        if (type == ValueType::string) {
            array.strings.reserve(count);
            for (; index < count; ++index) array.strings.push_back(reader.read_string("string length"));
        } else if (is_float(type)) {
            array.floats.reserve(count);
            for (; index < count; ++index) array.floats.push_back(read_float(reader, type));
        } else {
            array.ints.reserve(count);
            for (; index < count; ++index) array.ints.push_back(read_int_element(reader, type));
        }
    } catch (const Error& e) {
        throw Error(e.kind(), "element " + num(index) + ": " + e.what());
    }
}

Array read_array(ByteReader& reader) {
    const uint64_t start = reader.pos();
    Array array;
    array.elem_type = read_value_type(reader, "array element type");
    if (array.elem_type == ValueType::array)
        throw Error(ErrorKind::unsupported, "nested array " + at_byte(start) + " is not supported");
    const auto count = reader.read<uint64_t>("array count");
    // Strings need at least their 8-byte length, so a hostile count cannot outgrow the file.
    const uint64_t min_elem = array.elem_type == ValueType::string ? 8 : fixed_value_size(array.elem_type);
    if (count > reader.remaining() / min_elem)
        fail("array " + at_byte(start) + " declares " + num(count) + " " + std::string(to_string(array.elem_type)) +
             " elements, but only " + num(reader.remaining()) + " bytes remain");
    with_context("array " + at_byte(start), [&] { read_array_elements(reader, count, array); });
    return array;
}

Value read_value(ByteReader& reader, ValueType type) {
    Value value;
    value.type = type;
    if (is_unsigned_int(type)) value.data = read_unsigned(reader, type);
    else if (is_signed_int(type)) value.data = read_signed(reader, type);
    else if (is_float(type)) value.data = read_float(reader, type);
    else if (type == ValueType::boolean) value.data = read_bool(reader);
    else if (type == ValueType::string) value.data = reader.read_string("string value length");
    else value.data = read_array(reader);
    return value;
}

void check_version(uint32_t version) {
    if (version == 2 || version == 3) return;
    if (version == 1)
        throw Error(ErrorKind::unsupported, "version 1 is not supported (only 2 and 3); re-convert the model");
    const uint32_t swapped = __builtin_bswap32(version);
    if (swapped == 2 || swapped == 3)
        throw Error(ErrorKind::unsupported, "big-endian GGUF files are not supported (version field reads " +
                                                num(version) + ")");
    throw Error(ErrorKind::unsupported, "version " + num(version) + " is not supported (only 2 and 3)");
}

void read_metadata(ByteReader& reader, uint64_t kv_count, ParsedGguf& gguf) {
    for (uint64_t i = 0; i < kv_count; ++i) {
        const uint64_t start = reader.pos();
        const std::string where = "metadata entry #" + num(i) + " " + at_byte(start);
        const std::string_view key = with_context(where, [&] { return reader.read_string("key length"); });
        if (key.empty()) fail(where + ": empty key");
        with_context(where + " " + quoted(key), [&] {
            const ValueType type = read_value_type(reader, "value type");
            Value value = read_value(reader, type);
            if (!gguf.metadata.emplace(std::string(key), std::move(value)).second) fail("duplicate key");
        });
    }
}

uint64_t alignment_from(const ParsedGguf& gguf) {
    const auto it = gguf.metadata.find(kAlignmentKey);
    if (it == gguf.metadata.end()) return kDefaultAlignment;
    const Value& value = it->second;
    const std::string where = "metadata '" + std::string(kAlignmentKey) + "'";
    // The format specifies u32, which also keeps align_up from overflowing.
    if (value.type != ValueType::u32)
        fail(where + " has type " + std::string(to_string(value.type)) + ", expected u32");
    const uint64_t alignment = std::get<uint64_t>(value.data);
    if (!is_power_of_two(alignment)) fail(where + " is " + num(alignment) + ", not a nonzero power of two");
    if (alignment > kMaxAlignment)
        fail(where + " is " + num(alignment) + ", larger than the " + num(kMaxAlignment) + " Hearth accepts");
    return alignment;
}

std::string known_type_names() {
    std::string names;
    for (uint32_t id = 0; id < 64; ++id) {
        if (const auto info = dtype_info(id)) {
            if (!names.empty()) names += ", ";
            names += std::string(info->name) + "=" + num(id);
        }
    }
    return names;
}

void read_shape(ByteReader& reader, TensorInfo& tensor) {
    const uint64_t dims_at = reader.pos();
    const auto n_dims = reader.read<uint32_t>("dimension count");
    if (n_dims == 0 || n_dims > kMaxDims)
        fail("dimension count " + num(n_dims) + " " + at_byte(dims_at) + " is not in 1.." + num(kMaxDims));
    uint64_t elements = 1;
    for (uint32_t d = 0; d < n_dims; ++d) {
        const uint64_t dim_at = reader.pos();
        const auto dim = reader.read<uint64_t>("dimension");
        if (dim == 0 || dim > kMaxInt64)
            fail("dimension " + num(d) + " " + at_byte(dim_at) + " is " + std::to_string(static_cast<int64_t>(dim)) +
                 ", must be positive");
        if (elements > kMaxInt64 / dim) fail("element count overflows at dimension " + num(d));
        elements *= dim;
        tensor.shape.push_back(static_cast<int64_t>(dim));
    }
}

void read_tensor_info(ByteReader& reader, uint64_t alignment, TensorInfo& tensor) {
    tensor.name = std::string(reader.read_string("tensor name length"));
    if (tensor.name.empty()) fail("empty tensor name");
    read_shape(reader, tensor);

    const uint64_t type_at = reader.pos();
    const auto type_id = reader.read<uint32_t>("tensor type");
    const auto info = dtype_info(type_id);
    if (!info)
        throw Error(ErrorKind::unsupported, "unknown tensor type id " + num(type_id) + " " + at_byte(type_at) +
                                                " (known: " + known_type_names() + ")");
    tensor.type = info->type;
    const auto inner = static_cast<uint64_t>(tensor.shape[0]);
    if (inner % info->block_elems != 0)
        fail("innermost dimension " + num(inner) + " is not a multiple of the " + std::string(info->name) +
             " block size " + num(info->block_elems));
    const uint64_t blocks = static_cast<uint64_t>(tensor.elements()) / info->block_elems;
    if (blocks > std::numeric_limits<uint64_t>::max() / info->block_bytes) fail("byte size overflows");
    tensor.nbytes = blocks * info->block_bytes;

    const uint64_t offset_at = reader.pos();
    tensor.offset = reader.read<uint64_t>("tensor data offset");
    if (tensor.offset % alignment != 0)
        fail("data offset " + num(tensor.offset) + " " + at_byte(offset_at) + " is not a multiple of the alignment " +
             num(alignment));
}

void read_tensor_infos(ByteReader& reader, uint64_t tensor_count, ParsedGguf& gguf) {
    gguf.tensors.reserve(tensor_count);
    for (uint64_t i = 0; i < tensor_count; ++i) {
        const uint64_t start = reader.pos();
        TensorInfo& tensor = gguf.tensors.emplace_back();
        try {
            read_tensor_info(reader, gguf.alignment, tensor);
        } catch (const Error& e) {
            const std::string name = tensor.name.empty() ? "" : " " + quoted(tensor.name);
            throw Error(e.kind(), "tensor #" + num(i) + name + " " + at_byte(start) + ": " + e.what());
        }
        if (!gguf.tensor_index.emplace(tensor.name, i).second)
            fail("tensor #" + num(i) + " " + at_byte(start) + ": duplicate tensor name " + quoted(tensor.name));
    }
}

// Points each tensor into the data section after checking it lies inside the file and that no
// two tensors share bytes.
void place_tensors(std::span<const uint8_t> bytes, ParsedGguf& gguf) {
    if (gguf.tensors.empty()) return;
    if (gguf.data_offset > gguf.file_size)
        fail("tensor data section would start at byte " + num(gguf.data_offset) + ", past the end of the file (" +
             num(gguf.file_size) + " bytes)");
    const uint64_t data_size = gguf.file_size - gguf.data_offset;
    for (TensorInfo& tensor : gguf.tensors) {
        if (tensor.offset > data_size || tensor.nbytes > data_size - tensor.offset)
            fail("tensor " + quoted(tensor.name) + " data (offset " + num(tensor.offset) + ", " + num(tensor.nbytes) +
                 " bytes) extends past the end of the data section (" + num(data_size) + " bytes from byte " +
                 num(gguf.data_offset) + ")");
        tensor.data = bytes.data() + gguf.data_offset + tensor.offset;
    }
    std::vector<const TensorInfo*> by_offset;
    by_offset.reserve(gguf.tensors.size());
    for (const TensorInfo& tensor : gguf.tensors) by_offset.push_back(&tensor);
    std::sort(by_offset.begin(), by_offset.end(),
              [](const TensorInfo* a, const TensorInfo* b) { return a->offset < b->offset; });
    for (size_t i = 1; i < by_offset.size(); ++i) {
        const TensorInfo& prev = *by_offset[i - 1];
        const TensorInfo& next = *by_offset[i];
        if (prev.offset + prev.nbytes > next.offset)
            fail("tensors " + quoted(prev.name) + " and " + quoted(next.name) + " overlap (offsets " +
                 num(prev.offset) + " and " + num(next.offset) + ")");
    }
}

}  // namespace

ParsedGguf parse_gguf(std::span<const uint8_t> bytes) {
    ParsedGguf gguf;
    gguf.file_size = bytes.size();
    ByteReader reader(bytes);

    reader.need(sizeof(kMagic), "magic");
    if (std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) fail("not a GGUF file (bad magic at byte 0)");
    reader.read<uint32_t>("magic");
    gguf.version = reader.read<uint32_t>("version");
    check_version(gguf.version);
    const auto tensor_count = reader.read<uint64_t>("tensor count");
    const auto kv_count = reader.read<uint64_t>("metadata count");
    const uint64_t left = reader.remaining();
    if (kv_count > left / kMinKvBytes || tensor_count > left / kMinTensorInfoBytes ||
        kv_count * kMinKvBytes + tensor_count * kMinTensorInfoBytes > left)
        fail("header claims " + num(kv_count) + " metadata entries and " + num(tensor_count) +
             " tensors, which cannot fit in the " + num(left) + " bytes after the header");

    read_metadata(reader, kv_count, gguf);
    gguf.alignment = alignment_from(gguf);
    read_tensor_infos(reader, tensor_count, gguf);
    gguf.data_offset = align_up(reader.pos(), gguf.alignment);
    place_tensors(bytes, gguf);
    return gguf;
}

}  // namespace hearth::gguf
