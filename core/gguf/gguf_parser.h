#pragma once
// Parses and validates a whole GGUF image held in memory (mapped or caller-owned).
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/gguf/gguf_file.h"

namespace hearth::gguf {

struct ParsedGguf {
    uint32_t version = 0;
    uint64_t alignment = 0;
    uint64_t data_offset = 0;  // start of the tensor data section
    uint64_t file_size = 0;
    std::map<std::string, Value, std::less<>> metadata;
    std::vector<TensorInfo> tensors;                      // in file order
    std::map<std::string, size_t, std::less<>> tensor_index;  // name -> index into tensors
};

// Throws Error(bad_file) for corrupt or hostile input and Error(unsupported) for valid GGUF we do
// not read (version 1, big-endian, nested arrays, unknown tensor types). Strings and tensor data
// in the result point into `bytes`.
ParsedGguf parse_gguf(std::span<const uint8_t> bytes);

}  // namespace hearth::gguf
