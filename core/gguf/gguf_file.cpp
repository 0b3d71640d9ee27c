#include "core/gguf/gguf_file.h"

#include <limits>
#include <utility>

#include "core/error.h"
#include "core/gguf/gguf_format.h"
#include "core/gguf/gguf_parser.h"
#include "core/gguf/mapped_file.h"

namespace hearth::gguf {

struct GgufFile::Impl {
    MappedFile mapping;  // empty for from_memory
    std::string path;
    ParsedGguf parsed;
};

namespace {

[[noreturn]] void throw_type_mismatch(std::string_view key, const Value& value, std::string_view expected) {
    throw Error(ErrorKind::bad_file, "metadata key '" + std::string(key) + "' has type " +
                                         std::string(to_string(value.type)) + ", expected " + std::string(expected));
}

[[noreturn]] void throw_missing(std::string_view what, std::string_view name) {
    throw Error(ErrorKind::bad_file, "missing " + std::string(what) + " '" + std::string(name) + "'");
}

ParsedGguf parse_with_prefix(std::span<const uint8_t> bytes, const std::string& prefix) {
    try {
        return parse_gguf(bytes);
    } catch (const Error& e) {
        throw Error(e.kind(), prefix + e.what());
    }
}

}  // namespace

size_t Array::size() const {
    if (elem_type == ValueType::string) return strings.size();
    if (is_float(elem_type)) return floats.size();
    return ints.size();
}

int64_t TensorInfo::elements() const {
    if (shape.empty()) return 0;
    int64_t count = 1;
    for (const int64_t dim : shape) count *= dim;
    return count;
}

GgufFile::GgufFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GgufFile::~GgufFile() = default;

std::unique_ptr<GgufFile> GgufFile::open(const std::string& path) {
    auto impl = std::make_unique<Impl>();
    impl->mapping = MappedFile::map(path);
    impl->path = path;
    impl->parsed = parse_with_prefix(impl->mapping.bytes(), "GGUF file '" + path + "': ");
    return std::unique_ptr<GgufFile>(new GgufFile(std::move(impl)));
}

std::unique_ptr<GgufFile> GgufFile::from_memory(std::span<const uint8_t> bytes) {
    auto impl = std::make_unique<Impl>();
    impl->parsed = parse_with_prefix(bytes, "GGUF: ");
    return std::unique_ptr<GgufFile>(new GgufFile(std::move(impl)));
}

uint32_t GgufFile::version() const { return impl_->parsed.version; }
uint64_t GgufFile::alignment() const { return impl_->parsed.alignment; }
const std::string& GgufFile::path() const { return impl_->path; }
uint64_t GgufFile::file_size() const { return impl_->parsed.file_size; }
uint64_t GgufFile::data_offset() const { return impl_->parsed.data_offset; }

const std::map<std::string, Value, std::less<>>& GgufFile::metadata() const { return impl_->parsed.metadata; }

const Value* GgufFile::find(std::string_view key) const {
    const auto& metadata = impl_->parsed.metadata;
    const auto it = metadata.find(key);
    return it == metadata.end() ? nullptr : &it->second;
}

std::optional<std::string_view> GgufFile::find_string(std::string_view key) const {
    const Value* value = find(key);
    if (value == nullptr) return std::nullopt;
    if (const auto* text = std::get_if<std::string_view>(&value->data)) return *text;
    throw_type_mismatch(key, *value, "string");
}

std::optional<int64_t> GgufFile::find_int(std::string_view key) const {
    const Value* value = find(key);
    if (value == nullptr) return std::nullopt;
    if (const auto* as_signed = std::get_if<int64_t>(&value->data)) return *as_signed;
    if (const auto* as_unsigned = std::get_if<uint64_t>(&value->data)) {
        if (*as_unsigned > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
            throw Error(ErrorKind::bad_file, "metadata key '" + std::string(key) + "' value " +
                                                 std::to_string(*as_unsigned) + " does not fit in int64");
        return static_cast<int64_t>(*as_unsigned);
    }
    throw_type_mismatch(key, *value, "an integer");
}

std::optional<double> GgufFile::find_float(std::string_view key) const {
    const Value* value = find(key);
    if (value == nullptr) return std::nullopt;
    if (const auto* real = std::get_if<double>(&value->data)) return *real;
    if (const auto* as_signed = std::get_if<int64_t>(&value->data)) return static_cast<double>(*as_signed);
    if (const auto* as_unsigned = std::get_if<uint64_t>(&value->data)) return static_cast<double>(*as_unsigned);
    throw_type_mismatch(key, *value, "a number");
}

std::optional<bool> GgufFile::find_bool(std::string_view key) const {
    const Value* value = find(key);
    if (value == nullptr) return std::nullopt;
    if (const auto* flag = std::get_if<bool>(&value->data)) return *flag;
    throw_type_mismatch(key, *value, "bool");
}

const Array* GgufFile::find_array(std::string_view key) const {
    const Value* value = find(key);
    if (value == nullptr) return nullptr;
    if (const auto* array = std::get_if<Array>(&value->data)) return array;
    throw_type_mismatch(key, *value, "array");
}

std::string_view GgufFile::get_string(std::string_view key) const {
    if (const auto text = find_string(key)) return *text;
    throw_missing("metadata key", key);
}

int64_t GgufFile::get_int(std::string_view key) const {
    if (const auto number = find_int(key)) return *number;
    throw_missing("metadata key", key);
}

double GgufFile::get_float(std::string_view key) const {
    if (const auto number = find_float(key)) return *number;
    throw_missing("metadata key", key);
}

bool GgufFile::get_bool(std::string_view key) const {
    if (const auto flag = find_bool(key)) return *flag;
    throw_missing("metadata key", key);
}

const Array& GgufFile::get_array(std::string_view key) const {
    if (const Array* array = find_array(key)) return *array;
    throw_missing("metadata key", key);
}

const std::vector<TensorInfo>& GgufFile::tensors() const { return impl_->parsed.tensors; }

const TensorInfo* GgufFile::find_tensor(std::string_view name) const {
    const auto& index = impl_->parsed.tensor_index;
    const auto it = index.find(name);
    return it == index.end() ? nullptr : &impl_->parsed.tensors[it->second];
}

const TensorInfo& GgufFile::get_tensor(std::string_view name) const {
    if (const TensorInfo* tensor = find_tensor(name)) return *tensor;
    throw_missing("tensor", name);
}

}  // namespace hearth::gguf
