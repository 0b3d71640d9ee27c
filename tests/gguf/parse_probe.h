#pragma once
// Parses untrusted bytes, touches everything a successful parse exposes, and reports whether the
// input was accepted; only hearth::Error may escape the parser (anything else fails the test).
#include <cstddef>
#include <cstdint>
#include <span>

namespace hearth::test {

struct ProbeResult {
    bool parsed = false;
    size_t largest_allocation = 0;  // bytes, of the single largest operator new during the parse
    uint64_t checksum = 0;          // of everything touched after a successful parse
};

ProbeResult probe_parse(std::span<const uint8_t> bytes);

// Generous bound for any single allocation while parsing `input_size` bytes: parsed values may
// widen their encoding (a u8 array element becomes an int64), but never beyond a small factor.
inline size_t allocation_bound(size_t input_size) { return 32 * input_size + (64u << 10); }

}  // namespace hearth::test
