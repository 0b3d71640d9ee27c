#pragma once
// The one error type of library code: it throws hearth::Error and never aborts on bad input.
#include <stdexcept>
#include <string>
#include <type_traits>

namespace hearth {

enum class ErrorKind {
    bad_file,       // a model or data file is truncated, corrupt or hostile
    bad_request,    // caller input is invalid (arguments, JSON, prompt too long)
    unsupported,    // a valid input we do not handle (architecture, quant type)
    out_of_memory,  // an allocation failed or would exceed a budget
    io,             // the operating system refused (open, mmap, read)
    cancelled,      // the caller cancelled the work
    internal,       // a broken invariant inside Hearth
};

inline const char* to_string(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::bad_file: return "bad_file";
        case ErrorKind::bad_request: return "bad_request";
        case ErrorKind::unsupported: return "unsupported";
        case ErrorKind::out_of_memory: return "out_of_memory";
        case ErrorKind::io: return "io";
        case ErrorKind::cancelled: return "cancelled";
        case ErrorKind::internal: return "internal";
    }
    return "unknown";
}

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
    ErrorKind kind() const noexcept { return kind_; }

private:
    ErrorKind kind_;
};

}  // namespace hearth

namespace hearth {

// Throws Error(kind, message) when a condition does not hold; for checks on caller input. The
// message is a string, or a callable that builds it: hot paths (every op of every decode step)
// pass a literal or a lambda, so that a check that holds allocates nothing.
template <class Message>
void require(bool condition, ErrorKind kind, const Message& message) {
    if (condition) [[likely]]
        return;
    if constexpr (std::is_invocable_v<const Message&>) throw Error(kind, message());
    else throw Error(kind, std::string(message));
}

}  // namespace hearth
