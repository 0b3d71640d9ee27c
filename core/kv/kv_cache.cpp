#include "core/kv/kv_cache.h"

#include <algorithm>
#include <string>

#include "core/error.h"

namespace hearth {

double KvCacheStats::waste() const {
    const int64_t allocated = static_cast<int64_t>(pages_used) * page_size;
    return allocated > 0 ? static_cast<double>(allocated - token_slots_used) / static_cast<double>(allocated) : 0.0;
}

double KvCacheStats::prefix_hit_rate() const {
    return prefix_tokens_queried > 0
               ? static_cast<double>(prefix_tokens_reused) / static_cast<double>(prefix_tokens_queried)
               : 0.0;
}

KvCache::KvCache(int32_t n_pages, int32_t page_size) : pool_(n_pages, page_size) {}

const KvCache::Sequence& KvCache::get(SeqId seq) const {
    const auto found = sequences_.find(seq);
    require(found != sequences_.end(), ErrorKind::internal, "unknown KV sequence " + std::to_string(seq));
    return found->second;
}

KvCache::Sequence& KvCache::get(SeqId seq) {
    return const_cast<Sequence&>(static_cast<const KvCache&>(*this).get(seq));
}

SeqId KvCache::add_sequence() {
    sequences_.emplace(next_id_, Sequence{});
    return next_id_++;
}

void KvCache::remove_sequence(SeqId seq) {
    truncate(seq, 0);
    sequences_.erase(seq);
}

SeqId KvCache::fork(SeqId seq) {
    Sequence copy = get(seq);
    for (PageId page : copy.pages) pool_.add_ref(page);
    sequences_.emplace(next_id_, std::move(copy));
    return next_id_++;
}

int32_t KvCache::reuse_prefix(SeqId seq, std::span<const int32_t> tokens, int32_t max_tokens) {
    Sequence& s = get(seq);
    require(s.tokens.empty(), ErrorKind::internal, "prefix reuse on a sequence that already holds tokens");
    const int32_t ps = page_size();
    const int64_t limit = std::min<int64_t>(max_tokens, static_cast<int64_t>(tokens.size()));
    prefix_tokens_queried_ += static_cast<int64_t>(tokens.size());
    uint64_t hash = 0;
    for (int64_t start = 0; start + ps <= limit; start += ps) {
        const auto page_tokens = tokens.subspan(start, ps);
        hash = chain_hash(hash, page_tokens);
        const std::optional<PageId> page = pool_.lookup(hash, page_tokens);
        if (!page) break;
        s.pages.push_back(*page);
        s.hashes.push_back(hash);
        s.tokens.insert(s.tokens.end(), page_tokens.begin(), page_tokens.end());
    }
    prefix_tokens_reused_ += static_cast<int64_t>(s.tokens.size());
    return static_cast<int32_t>(s.tokens.size());
}

int32_t KvCache::pages_needed(SeqId seq, int32_t count) const {
    const Sequence& s = get(seq);
    const int64_t length = static_cast<int64_t>(s.tokens.size());
    int32_t needed = pages_for(length + count) - static_cast<int32_t>(s.pages.size());
    const bool writes_into_last = count > 0 && length % page_size() != 0;
    if (writes_into_last && pool_.ref_count(s.pages[length / page_size()]) > 1) ++needed;  // copy-on-write
    return std::max(needed, 0);
}

bool KvCache::reserve(SeqId seq, int32_t count, std::vector<PageCopy>& copies) {
    require(count >= 0, ErrorKind::internal, "negative KV reservation");
    if (pages_needed(seq, count) > pool_.free_pages()) return false;
    Sequence& s = get(seq);
    const int64_t length = static_cast<int64_t>(s.tokens.size());
    if (count > 0 && length % page_size() != 0) {
        PageId& last = s.pages[length / page_size()];
        if (pool_.ref_count(last) > 1) {
            const PageId copy = *pool_.allocate();
            copies.push_back(PageCopy{last, copy});
            pool_.release(last);
            last = copy;
        } else {
            pool_.unpublish(last);  // its unused slots are about to be written
        }
    }
    // New pages go in ascending order, the first after the sequence's last page where it can:
    // attention streams a sequence's keys page by page, and the hardware prefetchers follow ascending
    // runs only (bench_cpu_attention at depth 4096: 3x slower over descending pages). The rest come
    // as the pool gives them (evicted ones in LRU order, the ends of cached prefixes first) and are
    // sorted here.
    const size_t first_new = s.pages.size();
    while (static_cast<int32_t>(s.pages.size()) < pages_for(length + count)) {
        const bool follows = s.pages.size() == first_new && first_new > 0;
        s.pages.push_back(*pool_.allocate(follows ? std::optional<PageId>(s.pages.back()) : std::nullopt));
    }
    std::sort(s.pages.begin() + static_cast<std::ptrdiff_t>(first_new), s.pages.end());
    return true;
}

void KvCache::append(SeqId seq, std::span<const int32_t> tokens) {
    Sequence& s = get(seq);
    require(pages_for(static_cast<int64_t>(s.tokens.size() + tokens.size())) <= static_cast<int32_t>(s.pages.size()),
            ErrorKind::internal, "KV append past the reserved pages");
    s.tokens.insert(s.tokens.end(), tokens.begin(), tokens.end());
    const int32_t ps = page_size();
    while (static_cast<int64_t>(s.hashes.size() + 1) * ps <= static_cast<int64_t>(s.tokens.size())) {
        const size_t index = s.hashes.size();
        const auto page_tokens = std::span<const int32_t>(s.tokens).subspan(index * ps, ps);
        const uint64_t hash = chain_hash(index == 0 ? 0 : s.hashes.back(), page_tokens);
        s.hashes.push_back(hash);
        pool_.publish(s.pages[index], hash, page_tokens);
    }
}

void KvCache::truncate(SeqId seq, int32_t length) {
    Sequence& s = get(seq);
    require(length >= 0 && length <= static_cast<int32_t>(s.tokens.size()), ErrorKind::internal,
            "KV truncate outside the sequence");
    s.tokens.resize(length);
    s.hashes.resize(length / page_size());
    const size_t keep = static_cast<size_t>(pages_for(length));
    // Later pages first, so that the LRU evicts the ends of cached prefixes before their starts.
    while (s.pages.size() > keep) {
        pool_.release(s.pages.back());
        s.pages.pop_back();
    }
}

KvCacheStats KvCache::stats() const {
    KvCacheStats st;
    st.page_size = page_size();
    st.pages_total = pool_.n_pages();
    st.pages_used = pool_.referenced_pages();
    st.pages_cached = pool_.cached_pages();
    st.pages_free = pool_.n_pages() - st.pages_used - st.pages_cached;
    st.prefix_tokens_queried = prefix_tokens_queried_;
    st.prefix_tokens_reused = prefix_tokens_reused_;
    std::unordered_map<PageId, int32_t> filled;  // slots in use per page, the fullest sharer's view
    for (const auto& [id, s] : sequences_) {
        const int64_t length = static_cast<int64_t>(s.tokens.size());
        for (size_t i = 0; i < s.pages.size(); ++i) {
            const int32_t fill = static_cast<int32_t>(std::clamp<int64_t>(length - static_cast<int64_t>(i) * page_size(), 0, page_size()));
            int32_t& slot = filled[s.pages[i]];
            slot = std::max(slot, fill);
        }
    }
    for (const auto& [page, fill] : filled) st.token_slots_used += fill;
    return st;
}

}  // namespace hearth
