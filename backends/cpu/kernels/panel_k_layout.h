#pragma once
// The load-time panel layout of the K types (kPanelLayout, dot_kernels.h): 16 rows per panel, per
// super-block 4 quant bytes of each row in the reference's lane order (byte b of slot l is element
// l + 8b of its run of 32, avx2_k_blocks.h), so that a register's low and high nibbles (Q4_K) are
// one lane slot of two runs for all its rows (Q5_K: five registers give eight such slots, Q6_K: three
// give four); exactly the file's size. The repacking is plain C++; the kernels over the layout are
// per instruction set (panel_avx512_k.cpp, panel_avx2_k.cpp).
#include <cstring>
#include <type_traits>

#include "backends/cpu/kernels/dot_kernels.h"
#include "core/quant/blocks.h"

namespace hearth::cpu {
namespace {

constexpr int kPanelRuns = kQK_K / 32;  // runs of 32 quants per super-block
constexpr int kPanelSlots = 8;          // lane slots per run
constexpr int kRows = kGemmPanelRows;
using RowQuads = uint8_t[kRows][4];      // row r: 4 quant bytes in lane order
using Quads = RowQuads[kPanelSlots];     // the row quads of each lane slot
struct NoQuants {};

// Q4_K and Q5_K: per super-block the quants, the 12 packed scale bytes as three dwords per row, d and
// dmin. Q4_K's quants: runs 2j (low nibbles) and 2j + 1 (high nibbles) as qs[32j..32j+31]. Q5_K's
// 5-bit quants (0..31) packed eight to five bytes, so that a mask gives four of them and 23
// instructions all eight (where nibbles and a separate fifth-bit byte take 4.5 per quant): group
// (j, v), groups[j][v][i], holds runs a = 2j and b = 2j + 1 at slots 4v..4v + 3; bytes i < 4 run a
// slot 4v + i in their low 5 bits, byte 4 the low nibbles of run b slots 4v and 4v + 1; run b slot
// 4v + 2 in bits 5-7 of byte 0 (its bits 0-2) and 6-7 of byte 1 (3-4), slot 4v + 3 likewise in
// bytes 2 and 3, and the fifth bits of run b slots 4v and 4v + 1 in bit 5 of bytes 1 and 3.
template <bool kFiveBits>
struct Q45Layout {
    using Block = std::conditional_t<kFiveBits, BlockQ5_K, BlockQ4_K>;
    static constexpr int kSlotGroups = kPanelSlots / 4;  // Q5_K: groups per run pair, of 4 slots each
    struct SuperBlock {
        [[no_unique_address]] std::conditional_t<kFiveBits, NoQuants, Quads[kPanelRuns / 2]> nibbles;
        [[no_unique_address]] std::conditional_t<kFiveBits, RowQuads[kPanelRuns / 2][kSlotGroups][5], NoQuants> groups;  // [j][v][byte]
        uint32_t scale_words[3][kRows];
        uint16_t d[kRows];
        uint16_t dmin[kRows];
    };
    static_assert(sizeof(SuperBlock) == kRows * sizeof(Block), "the panel layout keeps the file's size");

    static void repack_row(const Block& b, int r, SuperBlock& p) {
        if constexpr (kFiveBits) {
            // The block's quants in element order: run k's element i is qs's nibble k % 2 of byte
            // 32 (k / 2) + i, with qh's bit k of byte i on top.
            uint8_t q[kQK_K];
            for (int k = 0; k < kPanelRuns; ++k)
                for (int i = 0; i < 32; ++i)
                    q[32 * k + i] = static_cast<uint8_t>((b.qs[32 * (k / 2) + i] >> (4 * (k % 2)) & 0x0F) | (b.qh[i] >> k & 1) << 4);
            for (int j = 0; j < kPanelRuns / 2; ++j)
                for (int v = 0; v < kSlotGroups; ++v)
                    for (int m = 0; m < 4; ++m) {
                        const uint8_t* low = q + 64 * j + 4 * v + 8 * m;  // run 2j at slot 4v
                        const uint8_t* high = low + 32;                   // run 2j + 1
                        const int tops[4] = {high[2] & 7, high[2] >> 3 << 1 | high[0] >> 4, high[3] & 7, high[3] >> 3 << 1 | high[1] >> 4};
                        for (int i = 0; i < 4; ++i) p.groups[j][v][i][r][m] = static_cast<uint8_t>(low[i] | tops[i] << 5);
                        p.groups[j][v][4][r][m] = static_cast<uint8_t>((high[0] & 0x0F) | (high[1] & 0x0F) << 4);
                    }
        } else {
            for (int j = 0; j < kPanelRuns / 2; ++j)
                for (int l = 0; l < kPanelSlots; ++l)
                    for (int m = 0; m < 4; ++m) p.nibbles[j][l][r][m] = b.qs[32 * j + l + 8 * m];
        }
        for (int w = 0; w < 3; ++w) std::memcpy(&p.scale_words[w][r], b.scales + 4 * w, 4);
        p.d[r] = b.d;
        p.dmin[r] = b.dmin;
    }
};

// Q6_K: each row's 6-bit quants (0..63) packed four to three bytes, so that a mask gives three of
// them and three more masks, shifts and two ors the fourth (where nibbles and separate top bits
// take a mask, shift or or per quant and per top-bit pair). Group (t, u) holds runs 2t, 2t + 1 at
// slots 2u, 2u + 1: bytes[0] run 2t slot 2u, bytes[1] run 2t slot 2u + 1, bytes[2] run 2t + 1 slot
// 2u, each in its low 6 bits, and run 2t + 1 slot 2u + 1 in their top two bits (bits 0-1, 2-3, 4-5
// of it). The groups lie in the order the kernels read them, after the scales: 16 int8 per row,
// each dword holding two runs' scale pairs (dword v: scales 4v, 4v + 2, 4v + 1, 4v + 3, i.e. the
// pairs of runs 2v and 2v + 1 in its even and odd bytes); then d.
struct Q6Layout {
    using Block = BlockQ6_K;
    static constexpr int kGroups = kPanelRuns / 2;  // per run pair and per slot pair
    struct SuperBlock {
        int8_t scales[kPanelRuns / 2][kRows][4];
        RowQuads groups[kGroups][kGroups][3];  // [t][u][byte]
        uint16_t d[kRows];
    };
    static_assert(sizeof(SuperBlock) == kRows * sizeof(Block), "the panel layout keeps the file's size");

    static void repack_row(const Block& b, int r, SuperBlock& p) {
        // The block's quants in element order: per half of 128, the low nibbles of its runs 0-3 from
        // ql (runs 2 and 3 the high nibbles), their top two bits from qh (run n at bits 2n, 2n + 1).
        uint8_t q[kQK_K];
        for (int half = 0; half < 2; ++half)
            for (int run = 0; run < 4; ++run)
                for (int i = 0; i < 32; ++i) {
                    const int low = b.ql[64 * half + 32 * (run % 2) + i] >> (4 * (run / 2)) & 0x0F;
                    const int top = b.qh[32 * half + i] >> (2 * run) & 3;
                    q[128 * half + 32 * run + i] = static_cast<uint8_t>(low | top << 4);
                }
        for (int t = 0; t < kGroups; ++t)
            for (int u = 0; u < kGroups; ++u)
                for (int m = 0; m < 4; ++m) {
                    const auto at = [&](int run, int slot) { return q[32 * run + slot + 8 * m]; };
                    const uint8_t fourth = at(2 * t + 1, 2 * u + 1);
                    const uint8_t three[3] = {at(2 * t, 2 * u), at(2 * t, 2 * u + 1), at(2 * t + 1, 2 * u)};
                    for (int n = 0; n < 3; ++n) p.groups[t][u][n][r][m] = static_cast<uint8_t>(three[n] | (fourth >> (2 * n) & 3) << 6);
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
