#pragma once
// The load-time panel layout of the K types (kPanelLayout, dot_kernels.h): 16 rows per panel, per
// super-block 4 quant bytes of each row in the reference's lane order (byte b of slot l is element
// l + 8b of its run of 32, avx2_k_blocks.h), so that a register's low and high nibbles are one lane
// slot of two runs for all its rows; exactly the file's size. The repacking is plain C++; the
// kernels over the layout are per instruction set (panel_avx512_k.cpp, panel_avx2_k.cpp).
#include <cstring>
#include <type_traits>

#include "backends/cpu/kernels/dot_kernels.h"
#include "core/quant/blocks.h"

namespace hearth::cpu {
namespace {

constexpr int kPanelRuns = kQK_K / 32;  // runs of 32 quants per super-block
constexpr int kPanelSlots = 8;          // lane slots per run
constexpr int kRows = kGemmPanelRows;
using Quads = uint8_t[kPanelSlots][kRows][4];  // slot l, row r: 4 quant bytes in lane order
struct NoHighBits {};

// Q4_K and Q5_K: per super-block the quants of runs 2j (low nibbles) and 2j + 1 (high nibbles) as
// qs[32j..32j+31], Q5_K's fifth bits as qh (bit k of byte l + 8b: run k, slot l, byte b), the 12
// packed scale bytes as three dwords per row, d and dmin.
template <bool kFiveBits>
struct Q45Layout {
    using Block = std::conditional_t<kFiveBits, BlockQ5_K, BlockQ4_K>;
    struct SuperBlock {
        Quads nibbles[kPanelRuns / 2];
        [[no_unique_address]] std::conditional_t<kFiveBits, Quads, NoHighBits> high;
        uint32_t scale_words[3][kRows];
        uint16_t d[kRows];
        uint16_t dmin[kRows];
    };
    static_assert(sizeof(SuperBlock) == kRows * sizeof(Block), "the panel layout keeps the file's size");

    static void repack_row(const Block& b, int r, SuperBlock& p) {
        for (int j = 0; j < kPanelRuns / 2; ++j)
            for (int l = 0; l < kPanelSlots; ++l)
                for (int m = 0; m < 4; ++m) p.nibbles[j][l][r][m] = b.qs[32 * j + l + 8 * m];
        if constexpr (kFiveBits)
            for (int l = 0; l < kPanelSlots; ++l)
                for (int m = 0; m < 4; ++m) p.high[l][r][m] = b.qh[l + 8 * m];
        for (int w = 0; w < 3; ++w) std::memcpy(&p.scale_words[w][r], b.scales + 4 * w, 4);
        p.d[r] = b.d;
        p.dmin[r] = b.dmin;
    }
};

// Q6_K: per half h of the super-block, the low nibbles of runs 4h + s (low) and 4h + 2 + s (high) as
// ql[64h + 32s..], the top two bits of runs 4h + m as bits 2m, 2m + 1 of qh[32h..]; the 16 int8
// scales per row ordered so that each dword holds two runs' scale pairs (dword v: scales 4v, 4v + 2,
// 4v + 1, 4v + 3, i.e. the pairs of runs 2v and 2v + 1 in its even and odd bytes); d.
struct Q6Layout {
    using Block = BlockQ6_K;
    struct SuperBlock {
        Quads nibbles[2][2];
        Quads high[2];
        int8_t scales[kPanelRuns / 2][kRows][4];
        uint16_t d[kRows];
    };
    static_assert(sizeof(SuperBlock) == kRows * sizeof(Block), "the panel layout keeps the file's size");

    static void repack_row(const Block& b, int r, SuperBlock& p) {
        for (int h = 0; h < 2; ++h)
            for (int l = 0; l < kPanelSlots; ++l)
                for (int m = 0; m < 4; ++m) {
                    for (int s = 0; s < 2; ++s) p.nibbles[h][s][l][r][m] = b.ql[64 * h + 32 * s + l + 8 * m];
                    p.high[h][l][r][m] = b.qh[32 * h + l + 8 * m];
                }
        for (int v = 0; v < kPanelRuns / 2; ++v) {
            const int8_t order[4] = {b.scales[4 * v], b.scales[4 * v + 2], b.scales[4 * v + 1], b.scales[4 * v + 3]};
            std::memcpy(p.scales[v][r], order, 4);
        }
        p.d[r] = b.d;
    }
};

// Repacks `rows` (a multiple of kRows) file-layout rows of nblocks super-blocks into dst.
template <class Layout>
void repack_k_panels(const uint8_t* src, int64_t rows, int64_t nblocks, uint8_t* dst) {
    const auto* in = reinterpret_cast<const typename Layout::Block*>(src);
    auto* out = reinterpret_cast<typename Layout::SuperBlock*>(dst);
    for (int64_t panel = 0; panel < rows / kRows; ++panel)
        for (int64_t i = 0; i < nblocks; ++i)
            for (int r = 0; r < kRows; ++r)
                Layout::repack_row(in[(panel * kRows + r) * nblocks + i], r, out[panel * nblocks + i]);
}

}  // namespace
}  // namespace hearth::cpu
