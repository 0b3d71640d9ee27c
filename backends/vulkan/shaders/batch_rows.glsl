// A step's batch rows as the host uploads them (backends/vulkan/vk_batch_rows.cpp): per row r,
// ints 2r and 2r+1 of `rows` hold its position and the offset of its sequence's block table in
// `tables`. The host has checked every page a row can touch. Needs common.glsl.
int row_position(uint64_t rows, uint r) { return Ints(rows).v[2u * r]; }

// The KV storage slot of position pos of row r's sequence.
uint64_t kv_slot(uint64_t rows, uint64_t tables, uint r, uint pos, uint page_size) {
    uint table = uint(Ints(rows).v[2u * r + 1u]);
    uint page = uint(Ints(tables).v[table + pos / page_size]);
    return uint64_t(page) * page_size + pos % page_size;
}
