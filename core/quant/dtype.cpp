#include "core/quant/dtype.h"

#include "core/error.h"

namespace hearth {

std::optional<DTypeInfo> dtype_info(uint32_t ggml_type_id) {
    for (const auto& info : kDTypeTable)
        if (static_cast<uint32_t>(info.type) == ggml_type_id) return info;
    return std::nullopt;
}

const DTypeInfo& dtype_info(DType type) {
    for (const auto& info : kDTypeTable)
        if (info.type == type) return info;
    throw Error(ErrorKind::internal, "dtype_info: unknown DType");
}

std::string_view supported_dtype_names() {
    return "F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K, Q6_K, Q8_K";
}

}  // namespace hearth
