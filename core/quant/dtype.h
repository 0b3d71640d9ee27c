#pragma once
// Tensor element types, numbered as GGUF numbers them (ggml_type), with their block geometry.
// The block structs themselves live in core/quant/blocks.h, which static_asserts against this table.
#include <cstdint>
#include <optional>
#include <string_view>

namespace hearth {

enum class DType : uint32_t {
    F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q8_1 = 9,
    Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, Q8_K = 15,
    I8 = 24, I16 = 25, I32 = 26, I64 = 27, F64 = 28, BF16 = 30,
};

struct DTypeInfo {
    DType type;
    std::string_view name;
    uint32_t block_elems;  // elements per block (1 for plain types)
    uint32_t block_bytes;  // bytes per block
    bool supported;        // Hearth can dequantize and compute with it
};

// Every type GGUF files may name that Hearth knows the geometry of; nullopt for unknown ids.
std::optional<DTypeInfo> dtype_info(uint32_t ggml_type_id);
const DTypeInfo& dtype_info(DType type);

// Bytes for a row of n elements; n must be a multiple of the block size (callers validate).
inline uint64_t row_bytes(const DTypeInfo& info, uint64_t n) { return n / info.block_elems * info.block_bytes; }

// Comma-separated names of the supported types, for error messages.
std::string_view supported_dtype_names();

}  // namespace hearth
