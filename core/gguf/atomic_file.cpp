#include "core/gguf/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "core/error.h"

namespace hearth::gguf {
namespace {

[[noreturn]] void throw_io(const std::string& what, const std::string& path, int err) {
    throw Error(ErrorKind::io, what + " '" + path + "': " + std::strerror(err));
}

}  // namespace

AtomicFileWriter::AtomicFileWriter(std::string path) : path_(std::move(path)) {
    std::vector<char> pattern(path_.begin(), path_.end());
    const std::string suffix = ".tmp-XXXXXX";
    pattern.insert(pattern.end(), suffix.begin(), suffix.end());
    pattern.push_back('\0');
    fd_ = ::mkstemp(pattern.data());
    if (fd_ < 0) throw_io("cannot create a temporary file for", path_, errno);
    temp_path_ = pattern.data();
    // mkstemp creates the file private (0600); a written model should be readable like any file.
    ::fchmod(fd_, 0644);
}

AtomicFileWriter::~AtomicFileWriter() {
    if (fd_ >= 0) {
        ::close(fd_);
        ::unlink(temp_path_.c_str());
    }
}

void AtomicFileWriter::write(std::span<const uint8_t> bytes) {
    while (!bytes.empty()) {
        const ssize_t written = ::write(fd_, bytes.data(), bytes.size());
        if (written < 0) {
            if (errno == EINTR) continue;
            throw_io("cannot write", temp_path_, errno);
        }
        bytes = bytes.subspan(static_cast<size_t>(written));
    }
}

void AtomicFileWriter::commit() {
    if (::fsync(fd_) != 0) throw_io("cannot sync", temp_path_, errno);
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(temp_path_.c_str());
        throw_io("cannot close", temp_path_, err);
    }
    if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
        const int err = errno;
        ::unlink(temp_path_.c_str());
        throw_io("cannot rename a temporary file onto", path_, err);
    }
}

}  // namespace hearth::gguf
