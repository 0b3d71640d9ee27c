#pragma once
// The default arithmetic's attention over F16 or Q8_0 KV pages (kernels/flash_attention.h), for one
// sequence's rows and one KV group's query heads at a time. Keys go through the tile kernel in
// chunks of kFlashChunkKeys positions, aligned to multiples of it: each chunk's softmax starts
// afresh and the chunks are merged in position order. So a decode step may share one row's chunks
// among threads (each thread reads its own part of the cache, however few KV groups there are)
// and still give the bits that the same row gets in a prompt batch.
#include <cstdint>

#include "backends/cpu/cpu_kv_pages.h"
#include "backends/cpu/kernels/flash_attention.h"

namespace hearth::cpu {

constexpr int32_t kFlashChunkKeys = 256;

// The first query head of thread t's contiguous share of a decode row's heads; the calling thread,
// which starts first, takes the larger share (SmolLM2's 9 heads on 2 threads: 0-4 and 5-8).
inline int32_t first_head_of_share(int64_t t, int32_t n_head, int threads) {
    return static_cast<int32_t>((t * n_head + threads - 1) / threads);
}

// One KV group of one sequence's cache in one layer.
struct FlashKeys {
    FlashTileKernel tile;
    CpuKvPages& kv;
    int32_t layer;
    const BatchRows& rows;
    int64_t row;  // a batch row of the sequence (its block table)
    int32_t kv_head;
    int32_t head_dim;
    float scale;
    // Position own_pos's key and value of the group as the calling thread holds them, for a step in
    // which another thread stores them in the cache (decode's fused self-attention); -1: none.
    int32_t own_pos = -1;
    const uint8_t* own_key = nullptr;
    const uint8_t* own_value = nullptr;
};

// Query vector i < queries (head_dim floats at q + i * head_dim, f16 values) attends to keys
// [first, last[i]]; its output goes to out[i]. At most kFlashMaxQueries query vectors.
void flash_attend(const FlashKeys& keys, int32_t queries, const float* q, const int32_t* last, int32_t first,
                  float* const* out);

// One query row's chunks: chunk c covers positions [c * kFlashChunkKeys, (c + 1) * kFlashChunkKeys)
// within [first, last]. A partial holds a chunk's running softmax of one query vector: its max, its
// sum, then head_dim sums of weighted values.
inline int64_t flash_partial_floats(int32_t head_dim) { return head_dim + 2; }

// Chunks [c0, c1) for query vectors i < queries (at most kFlashMaxQueries, each seeing [first, last]):
// query i's partial of chunk c goes to partials + (c - c0) * chunk_stride + i * flash_partial_floats.
void flash_partials(const FlashKeys& keys, int32_t queries, const float* q, int32_t first, int32_t last, int32_t c0,
                    int32_t c1, float* partials, int64_t chunk_stride);

// The output of one query vector from its partials of `chunks` consecutive chunks, `stride` floats
// apart, merged in order (what flash_attend computes for it).
void flash_combine(const float* partials, int32_t chunks, int64_t stride, int32_t head_dim, float* out);

}  // namespace hearth::cpu
