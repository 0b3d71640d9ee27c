#pragma once
// Tensor element types, numbered as GGUF numbers them (ggml_type), with their block geometry.
// The block structs themselves live in core/quant/blocks.h, which static_asserts against this table.
#include <array>
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

// The geometry table itself, usable in constant expressions (blocks.h static_asserts against it).
inline constexpr std::array<DTypeInfo, 20> kDTypeTable{{
    {DType::F32, "F32", 1, 4, true},
    {DType::F16, "F16", 1, 2, true},
    {DType::Q4_0, "Q4_0", 32, 18, true},
    {DType::Q4_1, "Q4_1", 32, 20, true},
    {DType::Q5_0, "Q5_0", 32, 22, true},
    {DType::Q5_1, "Q5_1", 32, 24, true},
    {DType::Q8_0, "Q8_0", 32, 34, true},
    {DType::Q8_1, "Q8_1", 32, 36, false},
    {DType::Q2_K, "Q2_K", 256, 84, false},
    {DType::Q3_K, "Q3_K", 256, 110, false},
    {DType::Q4_K, "Q4_K", 256, 144, true},
    {DType::Q5_K, "Q5_K", 256, 176, true},
    {DType::Q6_K, "Q6_K", 256, 210, true},
    {DType::Q8_K, "Q8_K", 256, 292, true},
    {DType::I8, "I8", 1, 1, false},
    {DType::I16, "I16", 1, 2, false},
    {DType::I32, "I32", 1, 4, false},
    {DType::I64, "I64", 1, 8, false},
    {DType::F64, "F64", 1, 8, false},
    {DType::BF16, "BF16", 1, 2, true},
}};

// Compile-time lookup in kDTypeTable; nullptr for a DType the table lacks.
constexpr const DTypeInfo* find_dtype_info(DType type) {
    for (const auto& info : kDTypeTable)
        if (info.type == type) return &info;
    return nullptr;
}

// Every type GGUF files may name that Hearth knows the geometry of; nullopt for unknown ids.
std::optional<DTypeInfo> dtype_info(uint32_t ggml_type_id);
const DTypeInfo& dtype_info(DType type);

// Bytes for a row of n elements; n must be a multiple of the block size (callers validate).
inline uint64_t row_bytes(const DTypeInfo& info, uint64_t n) { return n / info.block_elems * info.block_bytes; }

// Comma-separated names of the supported types, for error messages.
std::string_view supported_dtype_names();

}  // namespace hearth
