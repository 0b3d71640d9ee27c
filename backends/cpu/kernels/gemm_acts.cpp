// The portable half of the GEMM kernels' contract (dot_kernels.h): panel size, the unsigned-quant
// offsets, and the per-block description of the activation rows, computed once per matmul.
#include <algorithm>
#include <array>
#include <type_traits>

#include "backends/cpu/kernels/dot_kernels.h"
#include "backends/cpu/kernels/gemm_act_order.h"
#include "core/quant/blocks.h"
#include "core/quant/half.h"
#include "core/quant/quant.h"

namespace hearth::cpu {
namespace {

// Per legacy block: 8 groups of 16 rows x 4 quant bytes, then 16 d and 16 m floats. Per K super-block:
// kGemmKSuperBlockBytes (gemm_avx512_k.h, panel_avx512_k_blockwise.cpp).
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

constexpr std::array<uint8_t, 32> kLaneOrder = k_run_order(false);
constexpr std::array<uint8_t, 32> kPairedOrder = k_run_order(true);

// A Q8_K block as GemmKActBlock describes it, its quants in `form`.
void describe_k(const uint8_t* acts, uint64_t act_stride, int64_t rows, int64_t nblocks, KActForm form, GemmKActBlock* blocks) {
    const std::array<uint8_t, 32>& order = form == KActForm::paired_plus128 ? kPairedOrder : kLaneOrder;
    const auto flip = static_cast<uint8_t>(form == KActForm::lanes ? 0 : 0x80);
    for (int64_t r = 0; r < rows; ++r) {
        const auto* y = reinterpret_cast<const BlockQ8_K*>(acts + static_cast<uint64_t>(r) * act_stride);
        for (int64_t i = 0; i < nblocks; ++i) {
            GemmKActBlock& b = blocks[r * nblocks + i];
            for (int run = 0; run < kQK_K / 32; ++run) {
                const int8_t* from = y[i].qs + 32 * run;
                for (int e = 0; e < 32; ++e) b.quants[32 * run + e] = static_cast<int8_t>(static_cast<uint8_t>(from[order[e]]) ^ flip);
            }
            for (int t = 0; t < 8; ++t)
                b.bsum_pairs[t] = static_cast<int16_t>(y[i].bsums[2 * t] + y[i].bsums[2 * t + 1]);
            std::copy_n(y[i].bsums, 16, b.bsums);
            b.d = y[i].d;
            b.padding[0] = b.padding[1] = b.padding[2] = 0;
        }
    }
}

}  // namespace

KActForm exact_k_act_form(DType weight_type) {
    return weight_type == DType::Q6_K ? KActForm::lanes_plus128 : KActForm::lanes;
}

bool is_gemm_k_type(DType weight_type) {
    return weight_type == DType::Q4_K || weight_type == DType::Q5_K || weight_type == DType::Q6_K;
}

uint64_t gemm_panel_bytes(DType weight_type, int64_t nblocks) {
    // K types: room for the blockwise kernels' kBlockwisePanels expanded panels.
    return (is_gemm_k_type(weight_type) ? kGemmKSuperBlockBytes * kBlockwisePanels : kPanelBlockBytes) * static_cast<uint64_t>(nblocks);
}

uint64_t gemm_act_block_bytes(DType weight_type) {
    return is_gemm_k_type(weight_type) ? sizeof(GemmKActBlock) : sizeof(GemmActBlock);
}

int gemm_weight_offset(DType weight_type) {
    switch (weight_type) {
        case DType::Q4_0: return 8;
        case DType::Q5_0: return 16;
        case DType::Q8_0: return 128;
        default: return 0;
    }
}

void describe_act_blocks(DType weight_type, const uint8_t* acts, uint64_t act_stride, int64_t rows,
                         int64_t nblocks, void* blocks, KActForm form) {
    if (is_gemm_k_type(weight_type)) {
        describe_k(acts, act_stride, rows, nblocks, form, static_cast<GemmKActBlock*>(blocks));
        return;
    }
    const int offset = gemm_weight_offset(weight_type);
    auto* legacy = static_cast<GemmActBlock*>(blocks);
    if (vec_dot_type(weight_type) == DType::Q8_1) describe<BlockQ8_1>(acts, act_stride, rows, nblocks, offset, legacy);
    else describe<BlockQ8_0>(acts, act_stride, rows, nblocks, offset, legacy);
}

}  // namespace hearth::cpu
