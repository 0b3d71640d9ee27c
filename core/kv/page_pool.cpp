#include "core/kv/page_pool.h"

#include <algorithm>
#include <string>

#include "core/error.h"

namespace hearth {
namespace {

uint64_t mix(uint64_t x) {  // splitmix64's finaliser
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

}  // namespace

uint64_t chain_hash(uint64_t previous, std::span<const int32_t> page_tokens) {
    uint64_t h = mix(previous + 0x9e3779b97f4a7c15ULL);
    for (int32_t token : page_tokens) h = mix(h ^ static_cast<uint32_t>(token));
    return h;
}

PagePool::PagePool(int32_t n_pages, int32_t page_size) : page_size_(page_size) {
    require(n_pages > 0 && page_size > 0, ErrorKind::bad_request, "the KV cache needs at least one page of one token");
    pages_.resize(n_pages);
    for (PageId p = 0; p < n_pages; ++p) free_.insert(free_.end(), p);
}

int32_t PagePool::free_pages() const { return static_cast<int32_t>(free_.size() + lru_.size()); }

std::optional<PageId> PagePool::allocate(std::optional<PageId> after) {
    PageId page;
    const bool has_next = after && *after + 1 < n_pages();
    if (!free_.empty()) {
        const auto next = has_next ? free_.find(*after + 1) : free_.end();
        page = next != free_.end() ? *next : *free_.begin();
        free_.erase(page);
    } else if (lru_.empty()) {
        return std::nullopt;
    } else {
        // A page must be evicted: the cached one after the sequence's last if there is one, else the
        // least recently released. A sequence that grows by a page at a time would take a released
        // sequence's pages last first; it starts instead from the lowest of the cached pages just
        // below, which the LRU holds next (a released sequence's pages enter it last first), and
        // then goes up.
        page = has_next && cached(*after + 1) ? *after + 1 : lru_.front();
        for (int32_t k = 0; after && page != *after + 1 && k < kRunStartSearch && page > 0 && cached(page - 1); ++k) --page;
        lru_.erase(pages_[page].lru_position);
        evict(page);
    }
    pages_[page].refs = 1;
    ++referenced_;
    return page;
}

void PagePool::add_ref(PageId page) {
    PageInfo& info = pages_[page];
    if (info.refs++ == 0) {
        lru_.erase(info.lru_position);  // only published pages sit unreferenced outside the free list
        ++referenced_;
    }
}

void PagePool::release(PageId page) {
    PageInfo& info = pages_[page];
    require(info.refs > 0, ErrorKind::internal, "KV page " + std::to_string(page) + " released more often than taken");
    if (--info.refs > 0) return;
    --referenced_;
    if (info.published) {
        info.lru_position = lru_.insert(lru_.end(), page);
    } else {
        free_.insert(page);
    }
}

void PagePool::publish(PageId page, uint64_t hash, std::span<const int32_t> tokens) {
    PageInfo& info = pages_[page];
    if (info.published || index_.count(hash)) return;
    info.published = true;
    info.hash = hash;
    info.tokens.assign(tokens.begin(), tokens.end());
    index_.emplace(hash, page);
}

void PagePool::unpublish(PageId page) {
    PageInfo& info = pages_[page];
    if (!info.published) return;
    require(info.refs > 0, ErrorKind::internal, "unpublishing an unreferenced KV page");
    evict(page);
}

void PagePool::evict(PageId page) {
    PageInfo& info = pages_[page];
    index_.erase(info.hash);
    info.published = false;
    info.tokens.clear();
}

std::optional<PageId> PagePool::lookup(uint64_t hash, std::span<const int32_t> tokens) {
    const auto found = index_.find(hash);
    if (found == index_.end()) return std::nullopt;
    const PageInfo& info = pages_[found->second];
    if (!std::equal(info.tokens.begin(), info.tokens.end(), tokens.begin(), tokens.end())) return std::nullopt;
    add_ref(found->second);
    return found->second;
}

}  // namespace hearth
