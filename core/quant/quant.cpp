// Checked, type-dispatched entry points over the typed reference kernels of quant_ref.h.
#include "core/quant/quant.h"

#include <string>

#include "core/error.h"
#include "core/quant/quant_ref.h"

namespace hearth {
namespace {

constexpr const char* kConvertible = "F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, Q4_K, Q5_K, Q6_K, Q8_K";
constexpr const char* kDottable = "F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K, Q6_K";

std::string type_name(DType type) {
    const DTypeInfo* info = find_dtype_info(type);
    return info ? std::string(info->name) : "type id " + std::to_string(static_cast<uint32_t>(type));
}

[[noreturn]] void throw_unsupported(const char* operation, DType type, const char* supported) {
    throw Error(ErrorKind::unsupported,
                std::string(operation) + ": " + type_name(type) + " is not supported; supported: " + supported);
}

bool is_convertible(DType type) {
    switch (type) {
        case DType::F32: case DType::F16: case DType::BF16: case DType::Q4_0: case DType::Q4_1:
        case DType::Q5_0: case DType::Q5_1: case DType::Q8_0: case DType::Q8_1: case DType::Q4_K:
        case DType::Q5_K: case DType::Q6_K: case DType::Q8_K: return true;
        default: return false;
    }
}

// Blocks in a row of n elements of a supported type, after checking n against its block size.
int64_t checked_blocks(const char* operation, DType type, int64_t n) {
    const int64_t block = find_dtype_info(type)->block_elems;
    if (n < 0 || n % block != 0)
        throw Error(ErrorKind::bad_request, std::string(operation) + ": row length " + std::to_string(n) +
                                                " is not a non-negative multiple of the " + type_name(type) +
                                                " block size " + std::to_string(block));
    return n / block;
}

template <typename Block>
void dequantize_as(const void* src, float* dst, int64_t nblocks) {
    ref::dequantize(static_cast<const Block*>(src), dst, nblocks);
}

template <typename Block>
void quantize_as(const float* src, void* dst, int64_t nblocks) {
    ref::quantize(src, static_cast<Block*>(dst), nblocks);
}

template <typename Weight, typename Act>
float dot_as(const void* weight, const void* act, int64_t nblocks) {
    return ref::dot(static_cast<const Weight*>(weight), static_cast<const Act*>(act), nblocks);
}

}  // namespace

void dequantize_row(DType type, const void* src, float* dst, int64_t n) {
    if (!is_convertible(type)) throw_unsupported("dequantize_row", type, kConvertible);
    const int64_t nb = checked_blocks("dequantize_row", type, n);
    switch (type) {
        case DType::F32:
            for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<const float*>(src)[i];
            return;
        case DType::F16: return ref::fp16_to_f32_row(static_cast<const uint16_t*>(src), dst, n);
        case DType::BF16: return ref::bf16_to_f32_row(static_cast<const uint16_t*>(src), dst, n);
        case DType::Q4_0: return dequantize_as<BlockQ4_0>(src, dst, nb);
        case DType::Q4_1: return dequantize_as<BlockQ4_1>(src, dst, nb);
        case DType::Q5_0: return dequantize_as<BlockQ5_0>(src, dst, nb);
        case DType::Q5_1: return dequantize_as<BlockQ5_1>(src, dst, nb);
        case DType::Q8_0: return dequantize_as<BlockQ8_0>(src, dst, nb);
        case DType::Q8_1: return dequantize_as<BlockQ8_1>(src, dst, nb);
        case DType::Q4_K: return dequantize_as<BlockQ4_K>(src, dst, nb);
        case DType::Q5_K: return dequantize_as<BlockQ5_K>(src, dst, nb);
        case DType::Q6_K: return dequantize_as<BlockQ6_K>(src, dst, nb);
        case DType::Q8_K: return dequantize_as<BlockQ8_K>(src, dst, nb);
        default: throw_unsupported("dequantize_row", type, kConvertible);
    }
}

void quantize_row(DType type, const float* src, void* dst, int64_t n) {
    if (!is_convertible(type)) throw_unsupported("quantize_row", type, kConvertible);
    const int64_t nb = checked_blocks("quantize_row", type, n);
    switch (type) {
        case DType::F32:
            for (int64_t i = 0; i < n; ++i) static_cast<float*>(dst)[i] = src[i];
            return;
        case DType::F16: return ref::f32_to_fp16_row(src, static_cast<uint16_t*>(dst), n);
        case DType::BF16: return ref::f32_to_bf16_row(src, static_cast<uint16_t*>(dst), n);
        case DType::Q4_0: return quantize_as<BlockQ4_0>(src, dst, nb);
        case DType::Q4_1: return quantize_as<BlockQ4_1>(src, dst, nb);
        case DType::Q5_0: return quantize_as<BlockQ5_0>(src, dst, nb);
        case DType::Q5_1: return quantize_as<BlockQ5_1>(src, dst, nb);
        case DType::Q8_0: return quantize_as<BlockQ8_0>(src, dst, nb);
        case DType::Q8_1: return quantize_as<BlockQ8_1>(src, dst, nb);
        case DType::Q4_K: return quantize_as<BlockQ4_K>(src, dst, nb);
        case DType::Q5_K: return quantize_as<BlockQ5_K>(src, dst, nb);
        case DType::Q6_K: return quantize_as<BlockQ6_K>(src, dst, nb);
        case DType::Q8_K: return quantize_as<BlockQ8_K>(src, dst, nb);
        default: throw_unsupported("quantize_row", type, kConvertible);
    }
}

DType vec_dot_type(DType weight) {
    switch (weight) {
        case DType::F32:
        case DType::F16:
        case DType::BF16: return weight;
        case DType::Q4_0:
        case DType::Q5_0:
        case DType::Q8_0: return DType::Q8_0;
        case DType::Q4_1:
        case DType::Q5_1: return DType::Q8_1;
        case DType::Q4_K:
        case DType::Q5_K:
        case DType::Q6_K: return DType::Q8_K;
        default: throw_unsupported("vec_dot_type", weight, kDottable);
    }
}

float vec_dot(DType weight_type, const void* weight_row, const void* act_row, int64_t n) {
    // The activation type's block is at least as long as the weight's, so it decides validity.
    const int64_t nb = checked_blocks("vec_dot", vec_dot_type(weight_type), n);
    switch (weight_type) {
        case DType::F32:
            return ref::dot_f32(static_cast<const float*>(weight_row), static_cast<const float*>(act_row), n);
        case DType::F16:
            return ref::dot_f16(static_cast<const uint16_t*>(weight_row), static_cast<const uint16_t*>(act_row), n);
        case DType::BF16:
            return ref::dot_bf16(static_cast<const uint16_t*>(weight_row), static_cast<const uint16_t*>(act_row), n);
        case DType::Q4_0: return dot_as<BlockQ4_0, BlockQ8_0>(weight_row, act_row, nb);
        case DType::Q4_1: return dot_as<BlockQ4_1, BlockQ8_1>(weight_row, act_row, nb);
        case DType::Q5_0: return dot_as<BlockQ5_0, BlockQ8_0>(weight_row, act_row, nb);
        case DType::Q5_1: return dot_as<BlockQ5_1, BlockQ8_1>(weight_row, act_row, nb);
        case DType::Q8_0: return dot_as<BlockQ8_0, BlockQ8_0>(weight_row, act_row, nb);
        case DType::Q4_K: return dot_as<BlockQ4_K, BlockQ8_K>(weight_row, act_row, nb);
        case DType::Q5_K: return dot_as<BlockQ5_K, BlockQ8_K>(weight_row, act_row, nb);
        case DType::Q6_K: return dot_as<BlockQ6_K, BlockQ8_K>(weight_row, act_row, nb);
        default: throw_unsupported("vec_dot", weight_type, kDottable);
    }
}

float vec_dot_blockwise(DType weight_type, const void* weight_row, const void* act_row, int64_t n) {
    const int64_t nb = checked_blocks("vec_dot_blockwise", DType::Q8_K, n);
    const auto* y = static_cast<const BlockQ8_K*>(act_row);
    switch (weight_type) {
        case DType::Q4_K: return ref::dot_blockwise(static_cast<const BlockQ4_K*>(weight_row), y, nb);
        case DType::Q5_K: return ref::dot_blockwise(static_cast<const BlockQ5_K*>(weight_row), y, nb);
        case DType::Q6_K: return ref::dot_blockwise(static_cast<const BlockQ6_K*>(weight_row), y, nb);
        default: throw_unsupported("vec_dot_blockwise", weight_type, "Q4_K, Q5_K, Q6_K");
    }
}

float vec_dot_half_lanes(DType weight_type, const uint16_t* weight_row, const float* act_row, int64_t n) {
    require(n >= 0, ErrorKind::bad_request, "vec_dot_half_lanes: negative row length");
    switch (weight_type) {
        case DType::F16: return ref::dot_half_lanes(weight_row, act_row, n, false);
        case DType::BF16: return ref::dot_half_lanes(weight_row, act_row, n, true);
        default: throw_unsupported("vec_dot_half_lanes", weight_type, "F16, BF16");
    }
}

float vec_dot_bf16_pairs(const uint16_t* weight_row, const float* act_row, int64_t n) {
    require(n >= 0, ErrorKind::bad_request, "vec_dot_bf16_pairs: negative row length");
    return ref::dot_bf16_pairs(weight_row, act_row, n);
}

}  // namespace hearth
