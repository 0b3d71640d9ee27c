// The flash attention driver (attention_flash.h): cache slots to tile kernel calls, a chunk at a time.
#include "backends/cpu/attention_flash.h"

#include <algorithm>

namespace hearth::cpu {
namespace {

// How many tiles ahead keys and values are requested: a tile of SmolLM2's three heads takes
// ~150 ns, about one miss to memory.
constexpr int32_t kFlashPrefetchTiles = 4;

// Runs chunks [c0, c1) for query vectors i < queries (at most kFlashMaxQueries), query i seeing
// keys [first, last[i]]; after each chunk, done(chunk, state) with that chunk's running softmax.
template <class ChunkDone>
void flash_chunks(const FlashKeys& k, int32_t queries, const float* q, const int32_t* last, int32_t first, int32_t c0,
                  int32_t c1, ChunkDone&& done) {
    const int32_t page_size = k.kv.layout().page_size;
    const int64_t head_bytes = k.kv.head_bytes();  // also the stride from one slot to the next
    const int32_t begin = std::max(first, c0 * kFlashChunkKeys);
    const int32_t end = std::min(*std::max_element(last, last + queries) + 1, c1 * kFlashChunkKeys);
    // The cache slots of positions [from, to), a page run at a time.
    const auto for_each_run = [&](int32_t from, int32_t to, auto&& run) {
        for (int32_t j = from; j < to;) {
            const int32_t run_end = std::min(to, (j / page_size + 1) * page_size);
            run(j, kv_slot(k.kv, k.rows, k.row, j), run_end - j);
            j = run_end;
        }
    };
    int32_t prefetched = begin;
    const auto prefetch_to = [&](int32_t to) {
        to = std::min(end, to);
        for_each_run(prefetched, to, [&](int32_t, int64_t slot, int32_t count) {
            prefetch_kv(k.kv.key(k.layer, slot, k.kv_head), count * head_bytes);
            prefetch_kv(k.kv.value(k.layer, slot, k.kv_head), count * head_bytes);
        });
        prefetched = std::max(prefetched, to);
    };
    alignas(64) float acc[kFlashMaxQueries * kFlashMaxDim];  // on the stack: each thread's own lines
    FlashState state;
    state.acc = acc;
    for (int32_t chunk = c0; chunk < c1; ++chunk) {
        const int32_t from = std::max(begin, chunk * kFlashChunkKeys), to = std::min(end, (chunk + 1) * kFlashChunkKeys);
        flash_start(state, queries, k.head_dim);
        for (int32_t j = from; j < to;) {
            const int32_t tile_end = std::min(to, (j / kFlashTileKeys + 1) * kFlashTileKeys);
            prefetch_to(tile_end + kFlashPrefetchTiles * kFlashTileKeys);
            const uint8_t* keys[kFlashTileKeys];
            const uint8_t* values[kFlashTileKeys];
            for_each_run(j, tile_end, [&](int32_t run_from, int64_t slot, int32_t count) {
                const uint8_t* key = k.kv.key(k.layer, slot, k.kv_head);
                const uint8_t* value = k.kv.value(k.layer, slot, k.kv_head);
                for (int32_t i = 0; i < count; ++i) {
                    keys[run_from - j + i] = key + i * head_bytes;
                    values[run_from - j + i] = value + i * head_bytes;
                }
            });
            if (k.own_pos >= j && k.own_pos < tile_end) {
                keys[k.own_pos - j] = k.own_key;
                values[k.own_pos - j] = k.own_value;
            }
            int32_t visible[kFlashMaxQueries];
            for (int32_t i = 0; i < queries; ++i) visible[i] = last[i] - j + 1;
            k.tile(q, k.head_dim, queries, visible, keys, values, tile_end - j, k.head_dim, k.scale, state);
            j = tile_end;
        }
        done(chunk, state);
    }
}

}  // namespace

void flash_attend(const FlashKeys& keys, int32_t queries, const float* q, const int32_t* last, int32_t first,
                  float* const* out) {
    const int32_t hd = keys.head_dim;
    alignas(64) float total_acc[kFlashMaxQueries * kFlashMaxDim];
    FlashState total;
    total.acc = total_acc;
    flash_start(total, queries, hd);
    const int32_t c1 = *std::max_element(last, last + queries) / kFlashChunkKeys + 1;
    flash_chunks(keys, queries, q, last, first, first / kFlashChunkKeys, c1, [&](int32_t, const FlashState& chunk) {
        for (int32_t i = 0; i < queries; ++i)
            flash_merge(total, i, chunk.max[i], chunk.sum[i], chunk.acc + static_cast<int64_t>(i) * hd, hd);
    });
    for (int32_t i = 0; i < queries; ++i) flash_finish(total, i, hd, out[i]);
}

void flash_partials(const FlashKeys& keys, int32_t queries, const float* q, int32_t first, int32_t last, int32_t c0,
                    int32_t c1, float* partials, int64_t chunk_stride) {
    const int32_t hd = keys.head_dim;
    int32_t lasts[kFlashMaxQueries];
    std::fill_n(lasts, queries, last);
    flash_chunks(keys, queries, q, lasts, first, c0, c1, [&](int32_t chunk, const FlashState& state) {
        for (int32_t i = 0; i < queries; ++i) {
            float* partial = partials + (chunk - c0) * chunk_stride + i * flash_partial_floats(hd);
            partial[0] = state.max[i];
            partial[1] = state.sum[i];
            std::copy_n(state.acc + static_cast<int64_t>(i) * hd, hd, partial + 2);
        }
    });
}

void flash_combine(const float* partials, int32_t chunks, int64_t stride, int32_t head_dim, float* out) {
    alignas(64) float acc[kFlashMaxDim];
    FlashState total;
    total.acc = acc;
    flash_start(total, 1, head_dim);
    for (int32_t c = 0; c < chunks; ++c) {
        const float* partial = partials + c * stride;
        flash_merge(total, 0, partial[0], partial[1], partial + 2, head_dim);
    }
    flash_finish(total, 0, head_dim, out);
}

}  // namespace hearth::cpu
