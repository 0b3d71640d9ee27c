#pragma once
// Bookkeeping for a fixed pool of KV pages: reference counts, a free list, and the prefix index
// (full pages keyed by the hash chain of their token ids) with LRU eviction of unreferenced
// pages. Knows nothing about sequences or the bytes in the pages; KvCache builds on it.
#include <cstdint>
#include <list>
#include <optional>
#include <set>
#include <span>
#include <unordered_map>
#include <vector>

namespace hearth {

using PageId = int32_t;

// Hash of a full page of tokens chained to the hash of the page before it (0 for the first).
uint64_t chain_hash(uint64_t previous, std::span<const int32_t> page_tokens);

class PagePool {
public:
    PagePool(int32_t n_pages, int32_t page_size);

    int32_t n_pages() const { return static_cast<int32_t>(pages_.size()); }
    int32_t page_size() const { return page_size_; }
    int32_t free_pages() const;        // allocatable now: free plus cached unreferenced
    int32_t referenced_pages() const { return referenced_; }
    int32_t cached_pages() const { return static_cast<int32_t>(lru_.size()); }

    // A page with reference count 1, or nothing when every page is referenced: page after + 1 if it
    // is free (a sequence's pages then ascend in memory, the order in which attention streams them),
    // else the lowest free page. With none free, a cached page is evicted: after + 1 if it is one,
    // else the least recently released, or for a sequence that grows (after given) the start of the
    // run of cached pages below it. The LRU order yields to the ascending one there: a sequence
    // growing a page at a time in a full pool would otherwise take a released sequence's pages last
    // first.
    std::optional<PageId> allocate(std::optional<PageId> after = std::nullopt);
    void add_ref(PageId page);
    void release(PageId page);  // at 0 an indexed page stays cached (LRU), others become free
    int32_t ref_count(PageId page) const { return pages_[page].refs; }

    // Publishes a full page under its chain hash; a page already published under that hash wins.
    void publish(PageId page, uint64_t hash, std::span<const int32_t> tokens);
    // Removes a page from the index before its contents change.
    void unpublish(PageId page);
    // The page holding exactly these tokens after the chain `hash`, with a reference taken.
    std::optional<PageId> lookup(uint64_t hash, std::span<const int32_t> tokens);

private:
    struct PageInfo {
        int32_t refs = 0;
        bool published = false;
        uint64_t hash = 0;
        std::vector<int32_t> tokens;  // for published pages: guards against hash collisions
        std::list<PageId>::iterator lru_position;
    };
    void evict(PageId page);
    bool cached(PageId page) const { return pages_[page].refs == 0 && pages_[page].published; }

    // How far below the least recently released page allocate() looks for the start of a cached run.
    static constexpr int32_t kRunStartSearch = 8;

    int32_t page_size_;
    std::vector<PageInfo> pages_;
    std::set<PageId> free_;           // unreferenced pages not in the index
    std::list<PageId> lru_;           // unreferenced published pages, least recently released first
    std::unordered_map<uint64_t, PageId> index_;
    int32_t referenced_ = 0;
};

}  // namespace hearth
