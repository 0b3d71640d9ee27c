#pragma once
// Format constants and value-type facts shared by the GGUF reader and writer.
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/gguf/gguf_file.h"

namespace hearth::gguf {

inline constexpr char kMagic[4] = {'G', 'G', 'U', 'F'};
inline constexpr uint32_t kWriteVersion = 3;
inline constexpr uint64_t kDefaultAlignment = 32;
// Real files use 32 to 4096; a cap keeps hostile files from demanding gigabytes of padding.
inline constexpr uint64_t kMaxAlignment = uint64_t{1} << 20;
inline constexpr uint32_t kMaxDims = 4;
inline constexpr std::string_view kAlignmentKey = "general.alignment";

// The ValueType for a raw id from a file; nullopt for ids the format does not define.
std::optional<ValueType> value_type_from_id(uint32_t id);

// Bytes one value of a fixed-size type occupies in the file; 0 for string and array.
uint64_t fixed_value_size(ValueType type);

bool is_unsigned_int(ValueType type);
bool is_signed_int(ValueType type);
bool is_float(ValueType type);

inline bool is_power_of_two(uint64_t value) { return value != 0 && (value & (value - 1)) == 0; }
inline uint64_t align_up(uint64_t value, uint64_t alignment) {
    return (value + alignment - 1) / alignment * alignment;
}

}  // namespace hearth::gguf
