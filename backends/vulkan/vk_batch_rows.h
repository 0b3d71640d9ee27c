#pragma once
// A step's batch rows in the form shaders read (shaders/batch_rows.glsl), checked on the host the
// way the CPU backend checks them, so a shader never follows a bad block table.
#include <cstdint>
#include <vector>

#include "backends/backend.h"

namespace hearth::vk {

struct PackedRows {
    std::vector<int32_t> rows;    // per row: position, offset of its sequence's table in `tables`
    std::vector<int32_t> tables;  // every sequence's block table, concatenated
    int32_t max_keys = 0;         // the most keys any row attends to
};

// Throws Error(internal) when a row's position is negative, its sequence index is out of range, or
// a page it reaches (its own position for kv_store; every key within the window for attention) is
// outside its block table or the pool. window: 0 for full causal attention.
enum class RowAccess { own_slot, attended_keys };
PackedRows pack_rows(const BatchRows& rows, const KvLayout& layout, RowAccess access, int32_t window);

}  // namespace hearth::vk
