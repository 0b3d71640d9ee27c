#pragma once
// RAII read-only memory mapping of a whole file. The file descriptor is closed right after
// mapping; the mapping stays valid until the object dies.
#include <cstdint>
#include <span>
#include <string>

namespace hearth::gguf {

class MappedFile {
public:
    MappedFile() = default;
    // Maps `path` read-only. Throws Error(io) when it cannot be opened or mapped, and
    // Error(bad_file) when it is empty or not a regular file.
    static MappedFile map(const std::string& path);

    ~MappedFile();
    MappedFile(MappedFile&& other) noexcept;
    MappedFile& operator=(MappedFile&& other) noexcept;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    std::span<const uint8_t> bytes() const { return {data_, size_}; }

private:
    MappedFile(const uint8_t* data, uint64_t size) : data_(data), size_(size) {}
    void release() noexcept;

    const uint8_t* data_ = nullptr;
    uint64_t size_ = 0;
};

}  // namespace hearth::gguf
