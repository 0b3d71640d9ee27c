#pragma once
// Where each byte of a K-type activation description (GemmKActBlock::quants, dot_kernels.h) comes
// from within its run of 32 quants: shared by the portable description (gemm_acts.cpp) and the
// vector one (describe_avx2.cpp).
#include <array>
#include <cstdint>

namespace hearth::cpu {

// Per byte of a run's description (int32 slot g, byte n), the element of the run it holds: lane
// order (byte m of slot l is element l + 8m), or paired (KActForm::paired_plus128): bytes 2h, 2h + 1
// of lane slots 2p, 2p + 1 in slot 2p + h.
constexpr std::array<uint8_t, 32> k_run_order(bool paired_halves) {
    std::array<uint8_t, 32> order{};
    for (int g = 0; g < 8; ++g)
        for (int n = 0; n < 4; ++n) {
            const int p = g / 2, h = g % 2;
            order[4 * g + n] = static_cast<uint8_t>(paired_halves ? 2 * p + n / 2 + 8 * (2 * h + n % 2) : g + 8 * n);
        }
    return order;
}

}  // namespace hearth::cpu
