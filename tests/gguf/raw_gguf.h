#pragma once
// Builds GGUF bytes field by field, so tests can write values the writer would refuse.
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace hearth::test {

class RawGguf {
public:
    RawGguf& u8(uint8_t v) { return put(v); }
    RawGguf& u32(uint32_t v) { return put(v); }
    RawGguf& u64(uint64_t v) { return put(v); }
    RawGguf& str(std::string_view text) {
        u64(text.size());
        append(text.data(), text.size());
        return *this;
    }
    RawGguf& header(uint32_t version, uint64_t tensor_count, uint64_t kv_count) {
        append("GGUF", 4);
        return u32(version).u64(tensor_count).u64(kv_count);
    }
    RawGguf& kv_u32(std::string_view key, uint32_t value) { return str(key).u32(4).u32(value); }
    RawGguf& kv_string(std::string_view key, std::string_view value) { return str(key).u32(8).str(value); }
    RawGguf& tensor(std::string_view name, const std::vector<uint64_t>& dims, uint32_t type, uint64_t offset) {
        str(name).u32(static_cast<uint32_t>(dims.size()));
        for (const uint64_t dim : dims) u64(dim);
        return u32(type).u64(offset);
    }
    RawGguf& pad_to(uint64_t alignment) {
        while (bytes.size() % alignment != 0) bytes.push_back(0);
        return *this;
    }
    RawGguf& zeros(size_t count) {
        bytes.resize(bytes.size() + count, 0);
        return *this;
    }

    std::vector<uint8_t> bytes;

private:
    template <class T>
    RawGguf& put(T value) {
        append(&value, sizeof(T));
        return *this;
    }
    void append(const void* data, size_t size) {
        const size_t at = bytes.size();
        bytes.resize(at + size);
        if (size != 0) std::memcpy(bytes.data() + at, data, size);
    }
};

}  // namespace hearth::test
