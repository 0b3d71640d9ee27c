// The portable half of the GEMM kernels' contract (dot_kernels.h): panel size, the unsigned-quant
// offsets, and the per-block description of the activation rows, computed once per matmul.
#include <type_traits>

#include "backends/cpu/kernels/dot_kernels.h"
#include "core/quant/blocks.h"
#include "core/quant/half.h"
#include "core/quant/quant.h"

namespace hearth::cpu {
namespace {

// Per block: 8 groups of 16 rows x 4 quant bytes, then 16 d and 16 m floats.
constexpr uint64_t kPanelBlockBytes = 8 * 64 + 2 * 64;

template <class Act>
void describe(const uint8_t* acts, uint64_t act_stride, int64_t rows, int64_t nblocks, int offset,
              GemmActBlock* blocks) {
    for (int64_t r = 0; r < rows; ++r) {
        const auto* y = reinterpret_cast<const Act*>(acts + static_cast<uint64_t>(r) * act_stride);
        for (int64_t i = 0; i < nblocks; ++i) {
            int32_t sum = 0;
            for (int8_t q : y[i].qs) sum += q;
            GemmActBlock& b = blocks[r * nblocks + i];
            b.d = fp16_to_f32(y[i].d);
            if constexpr (std::is_same_v<Act, BlockQ8_1>) b.m = fp16_to_f32(y[i].s);
            else b.m = 0.0f;
            b.offset_sum = offset * sum;
        }
    }
}

}  // namespace

uint64_t gemm_panel_bytes(int64_t nblocks) { return kPanelBlockBytes * static_cast<uint64_t>(nblocks); }

int gemm_weight_offset(DType weight_type) {
    switch (weight_type) {
        case DType::Q4_0: return 8;
        case DType::Q5_0: return 16;
        case DType::Q8_0: return 128;
        default: return 0;
    }
}

void describe_act_blocks(DType weight_type, const uint8_t* acts, uint64_t act_stride, int64_t rows,
                         int64_t nblocks, GemmActBlock* blocks) {
    const int offset = gemm_weight_offset(weight_type);
    if (vec_dot_type(weight_type) == DType::Q8_1) describe<BlockQ8_1>(acts, act_stride, rows, nblocks, offset, blocks);
    else describe<BlockQ8_0>(acts, act_stride, rows, nblocks, offset, blocks);
}

}  // namespace hearth::cpu
