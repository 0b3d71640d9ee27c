#pragma once
// The load-time panel layout of Q4_0, Q4_1, Q5_0 and Q5_1 (kPanelLayout, dot_kernels.h): 16 rows per
// panel, per block 4 quant bytes of each row interleaved (quads[t][row] holds bytes 4t..4t+3 of the
// row's block, so a register's low nibbles are quants 4t..4t+3 of its rows and its high nibbles
// quants 16+4t..19+4t: four-quant groups t and 4 + t), for the 5-bit types each row's fifth bits
// regrouped (bit g of byte m: quant 4g + m, so one shift and mask give group g's bits for every row),
// then the 16 fp16 d and, for the types with an offset, the 16 m; exactly the file's size. The
// repacking is plain C++; the kernels over the layout are per instruction set (panel_avx512.cpp,
// panel_avx2.cpp).
#include <array>
#include <cstring>

#include "backends/cpu/kernels/dot_kernels.h"
#include "core/quant/blocks.h"

namespace hearth::cpu {
namespace {

struct NoFifthBits {};

// One block of 16 rows in the panel layout, for Block BlockQ4_0, BlockQ4_1, BlockQ5_0 or BlockQ5_1.
template <class Block>
struct LegacyPanelBlock {
    static constexpr bool kHasMin = requires(Block b) { b.m; };
    static constexpr bool kFiveBits = requires(Block b) { b.qh; };
    static constexpr int kQuads = 4;  // dwords of nibble bytes per row
    uint8_t quads[kQuads][kGemmPanelRows][4];
    [[no_unique_address]] std::conditional_t<kFiveBits, std::array<uint32_t, kGemmPanelRows>, NoFifthBits> fifth_bits;
    uint16_t scales[kHasMin ? 2 * kGemmPanelRows : kGemmPanelRows];  // the rows' d, then their m
};
static_assert(sizeof(LegacyPanelBlock<BlockQ4_0>) == kGemmPanelRows * sizeof(BlockQ4_0), "the panel layout keeps the file's size");
static_assert(sizeof(LegacyPanelBlock<BlockQ4_1>) == kGemmPanelRows * sizeof(BlockQ4_1), "the panel layout keeps the file's size");
static_assert(sizeof(LegacyPanelBlock<BlockQ5_0>) == kGemmPanelRows * sizeof(BlockQ5_0), "the panel layout keeps the file's size");
static_assert(sizeof(LegacyPanelBlock<BlockQ5_1>) == kGemmPanelRows * sizeof(BlockQ5_1), "the panel layout keeps the file's size");

// The file's fifth bits (bit e: quant e) regrouped: bit g of byte m is quant 4g + m's.
inline uint32_t regroup_fifth_bits(const uint8_t* qh) {
    uint32_t bits = 0;
    std::memcpy(&bits, qh, sizeof(bits));
    uint32_t out = 0;
    for (int g = 0; g < 8; ++g)
        for (int m = 0; m < 4; ++m) out |= (bits >> (4 * g + m) & 1u) << (8 * m + g);
    return out;
}

template <class Block>
void repack_legacy_panels(const uint8_t* src, int64_t rows, int64_t nblocks, uint8_t* dst) {
    using Panel = LegacyPanelBlock<Block>;
    const auto* in = reinterpret_cast<const Block*>(src);
    auto* out = reinterpret_cast<Panel*>(dst);
    for (int64_t panel = 0; panel < rows / kGemmPanelRows; ++panel) {
        for (int64_t i = 0; i < nblocks; ++i) {
            Panel& p = out[panel * nblocks + i];
            for (int r = 0; r < kGemmPanelRows; ++r) {
                const Block& b = in[(panel * kGemmPanelRows + r) * nblocks + i];
                for (int t = 0; t < Panel::kQuads; ++t) std::memcpy(p.quads[t][r], b.qs + 4 * t, 4);
                if constexpr (Panel::kFiveBits) p.fifth_bits[static_cast<size_t>(r)] = regroup_fifth_bits(b.qh);
                p.scales[r] = b.d;
                if constexpr (Panel::kHasMin) p.scales[kGemmPanelRows + r] = b.m;
            }
        }
    }
}

}  // namespace
}  // namespace hearth::cpu
