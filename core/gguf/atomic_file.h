#pragma once
// Writes a file atomically: bytes go to a temporary file beside the target, which commit()
// syncs and renames over the target. Destroying the writer without commit() removes the
// temporary file, so readers never see a half-written file.
#include <cstdint>
#include <span>
#include <string>

namespace hearth::gguf {

class AtomicFileWriter {
public:
    explicit AtomicFileWriter(std::string path);  // throws Error(io)
    ~AtomicFileWriter();
    AtomicFileWriter(const AtomicFileWriter&) = delete;
    AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

    void write(std::span<const uint8_t> bytes);  // throws Error(io)
    void commit();                               // throws Error(io)

private:
    std::string path_;
    std::string temp_path_;
    int fd_ = -1;
};

}  // namespace hearth::gguf
