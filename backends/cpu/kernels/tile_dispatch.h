#pragma once
// The tile shape dispatch every tile kernel shares: a run-time TileShape picks the compile-time
// Tile::run<R, C> (R weight rows x C activation rows, R * C <= kTileMaxOutputs, C <= kTileMaxActRows).
#include "backends/cpu/kernels/dot_kernels.h"

namespace hearth::cpu {

template <class Tile, int R = 1, int C = 1>
void dispatch_tile_shape(const TileArgs& args, TileShape shape) {
    if constexpr (R <= kTileMaxOutputs && C <= kTileMaxActRows) {
        if (shape.act_rows > C) {
            if constexpr (R * (C + 1) <= kTileMaxOutputs) return dispatch_tile_shape<Tile, R, C + 1>(args, shape);
            else return;
        }
        if (shape.weight_rows > R) {
            if constexpr ((R + 1) * C <= kTileMaxOutputs) return dispatch_tile_shape<Tile, R + 1, C>(args, shape);
            else return;
        }
        Tile::template run<R, C>(args);
    }
}

}  // namespace hearth::cpu
