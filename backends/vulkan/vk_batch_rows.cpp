#include "backends/vulkan/vk_batch_rows.h"

#include <algorithm>
#include <string>

#include "core/error.h"

namespace hearth::vk {

PackedRows pack_rows(const BatchRows& rows, const KvLayout& layout, RowAccess access, int32_t window) {
    require(rows.sequences.size() == rows.positions.size(), ErrorKind::internal,
            "batch rows: positions and sequences differ in length");
    PackedRows packed;
    std::vector<int32_t> table_offset;
    for (const auto& table : rows.block_tables) {
        table_offset.push_back(static_cast<int32_t>(packed.tables.size()));
        packed.tables.insert(packed.tables.end(), table.begin(), table.end());
    }
    if (packed.tables.empty()) packed.tables.push_back(0);  // never read; keeps the upload non-empty
    for (size_t r = 0; r < rows.positions.size(); ++r) {
        const int32_t pos = rows.positions[r];
        const int32_t seq = rows.sequences[r];
        require(seq >= 0 && static_cast<size_t>(seq) < rows.block_tables.size(), ErrorKind::internal,
                "batch row " + std::to_string(r) + " names sequence " + std::to_string(seq) + " of " +
                    std::to_string(rows.block_tables.size()));
        require(pos >= 0, ErrorKind::internal, "batch row " + std::to_string(r) + " has a negative position");
        const int32_t first = access == RowAccess::own_slot ? pos : (window > 0 ? std::max(0, pos - window + 1) : 0);
        const std::span<const int32_t> table = rows.block_tables[static_cast<size_t>(seq)];
        const int32_t last_page = pos / layout.page_size;
        require(last_page < static_cast<int64_t>(table.size()), ErrorKind::internal,
                "position " + std::to_string(pos) + " lies outside its sequence's KV pages");
        for (int32_t page = first / layout.page_size; page <= last_page; ++page)
            require(table[static_cast<size_t>(page)] >= 0 && table[static_cast<size_t>(page)] < layout.n_pages,
                    ErrorKind::internal, "block table names a page outside the pool");
        packed.rows.push_back(pos);
        packed.rows.push_back(table_offset[static_cast<size_t>(seq)]);
        packed.max_keys = std::max(packed.max_keys, pos - first + 1);
    }
    return packed;
}

}  // namespace hearth::vk
