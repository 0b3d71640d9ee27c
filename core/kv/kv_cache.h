#pragma once
// The paged KV cache's bookkeeping (device-neutral): per-sequence block tables over a PagePool,
// copy-on-write when sequences sharing a page diverge, and prefix reuse of full pages published
// under the hash chain of their tokens. The bytes live in the backend's KvPages; this class says
// which page holds which positions and which pages the backend must copy before a step.
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "core/kv/page_pool.h"

namespace hearth {

using SeqId = int32_t;

struct PageCopy {
    PageId from = 0;
    PageId to = 0;
};

struct KvCacheStats {
    int32_t page_size = 0;
    int32_t pages_total = 0;
    int32_t pages_used = 0;    // referenced by at least one sequence
    int32_t pages_cached = 0;  // unreferenced but kept for prefix reuse (evictable)
    int32_t pages_free = 0;    // never used or evicted
    int64_t token_slots_used = 0;  // distinct slots holding a live sequence's token
    int64_t prefix_tokens_queried = 0;
    int64_t prefix_tokens_reused = 0;
    // Allocated but unused slots in referenced pages, as a fraction of allocated slots.
    double waste() const;
    double prefix_hit_rate() const;
};

class KvCache {
public:
    KvCache(int32_t n_pages, int32_t page_size);

    int32_t page_size() const { return pool_.page_size(); }
    int32_t n_pages() const { return pool_.n_pages(); }

    SeqId add_sequence();
    void remove_sequence(SeqId seq);  // releases its pages (full published ones stay cached)
    SeqId fork(SeqId seq);            // a new sequence sharing every page of seq

    // For an empty sequence: takes cached pages holding the first full pages of tokens, never
    // more than max_tokens tokens. Returns the number of tokens now in the sequence.
    int32_t reuse_prefix(SeqId seq, std::span<const int32_t> tokens, int32_t max_tokens);

    // Pages reserve() would need to take from the pool for count more tokens.
    int32_t pages_needed(SeqId seq, int32_t count) const;
    int32_t free_pages() const { return pool_.free_pages(); }
    // Makes the block table cover count more positions, appending to copies the page copies the
    // backend must do first (copy-on-write of a shared last page). Returns false, changing
    // nothing, when the pool lacks pages.
    bool reserve(SeqId seq, int32_t count, std::vector<PageCopy>& copies);
    // Records tokens stored at the next positions (reserved before); publishes pages they fill.
    void append(SeqId seq, std::span<const int32_t> tokens);
    // Keeps the first length tokens, releasing pages past them.
    void truncate(SeqId seq, int32_t length);

    int32_t length(SeqId seq) const { return static_cast<int32_t>(get(seq).tokens.size()); }
    std::span<const int32_t> tokens(SeqId seq) const { return get(seq).tokens; }
    std::span<const PageId> block_table(SeqId seq) const { return get(seq).pages; }

    KvCacheStats stats() const;

private:
    struct Sequence {
        std::vector<int32_t> tokens;
        std::vector<PageId> pages;
        std::vector<uint64_t> hashes;  // chain hash of each full page
    };
    const Sequence& get(SeqId seq) const;
    Sequence& get(SeqId seq);
    int32_t pages_for(int64_t tokens) const { return static_cast<int32_t>((tokens + page_size() - 1) / page_size()); }

    PagePool pool_;
    std::unordered_map<SeqId, Sequence> sequences_;
    SeqId next_id_ = 0;
    int64_t prefix_tokens_queried_ = 0;
    int64_t prefix_tokens_reused_ = 0;
};

}  // namespace hearth
