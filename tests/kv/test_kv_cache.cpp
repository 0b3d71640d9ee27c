// The paged KV bookkeeping: allocation, sharing, copy-on-write, prefix reuse, LRU eviction and
// accounting, plus a randomized run checking that no page ever leaks.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <random>
#include <vector>

#include "core/error.h"
#include "core/kv/kv_cache.h"

namespace hearth {
namespace {

std::vector<int32_t> iota_tokens(int32_t n, int32_t first = 100) {
    std::vector<int32_t> t(n);
    std::iota(t.begin(), t.end(), first);
    return t;
}

// Reserves and appends tokens as a forward step would; returns the copies asked for.
std::vector<PageCopy> store(KvCache& kv, SeqId seq, const std::vector<int32_t>& tokens) {
    std::vector<PageCopy> copies;
    REQUIRE(kv.reserve(seq, static_cast<int32_t>(tokens.size()), copies));
    kv.append(seq, tokens);
    return copies;
}

void check_conservation(const KvCache& kv) {
    const KvCacheStats st = kv.stats();
    CHECK(st.pages_used + st.pages_cached + st.pages_free == st.pages_total);
    CHECK(st.pages_used >= 0);
    CHECK(st.pages_free >= 0);
}

TEST_CASE("block tables grow a page at a time and release everything") {
    KvCache kv(8, 4);
    const SeqId s = kv.add_sequence();
    CHECK(kv.pages_needed(s, 1) == 1);
    CHECK(kv.pages_needed(s, 9) == 3);
    store(kv, s, iota_tokens(5));
    CHECK(kv.block_table(s).size() == 2);
    CHECK(kv.length(s) == 5);
    CHECK(kv.stats().pages_used == 2);
    CHECK(kv.stats().token_slots_used == 5);
    CHECK(kv.stats().waste() == doctest::Approx(3.0 / 8.0));
    store(kv, s, iota_tokens(3, 200));
    CHECK(kv.block_table(s).size() == 2);  // the second page filled up, no new one
    kv.remove_sequence(s);
    const KvCacheStats st = kv.stats();
    CHECK(st.pages_used == 0);
    CHECK(st.pages_cached == 2);  // both pages were full: kept for prefix reuse
    check_conservation(kv);
}

TEST_CASE("reserve fails without changing anything when the pool is short") {
    KvCache kv(3, 4);
    const SeqId a = kv.add_sequence();
    store(kv, a, iota_tokens(9));  // 3 pages
    const SeqId b = kv.add_sequence();
    std::vector<PageCopy> copies;
    CHECK_FALSE(kv.reserve(b, 1, copies));
    CHECK(kv.block_table(b).empty());
    CHECK(copies.empty());
    std::vector<PageCopy> more;
    CHECK(kv.reserve(a, 3, more));  // room left in a's last page
    CHECK_FALSE(kv.reserve(a, 4, more));
}

TEST_CASE("a full prefix is reused by hash chain, and only the same tokens in the same order match") {
    KvCache kv(16, 4);
    const std::vector<int32_t> prompt = iota_tokens(10);
    const SeqId a = kv.add_sequence();
    store(kv, a, prompt);
    const auto table_a = std::vector<PageId>(kv.block_table(a).begin(), kv.block_table(a).end());

    const SeqId b = kv.add_sequence();
    CHECK(kv.reuse_prefix(b, prompt, 9) == 8);  // two full pages; the partial third is not shared
    CHECK(kv.block_table(b)[0] == table_a[0]);
    CHECK(kv.block_table(b)[1] == table_a[1]);
    CHECK(kv.stats().pages_used == 3);

    const SeqId c = kv.add_sequence();
    CHECK(kv.reuse_prefix(c, prompt, 7) == 4);  // the limit stops it after one page

    std::vector<int32_t> other = prompt;
    other[5] = 999;  // differs in the second page: only the first is shared
    const SeqId d = kv.add_sequence();
    CHECK(kv.reuse_prefix(d, other, 10) == 4);

    std::vector<int32_t> swapped = prompt;
    std::swap(swapped[0], swapped[4]);  // same page contents elsewhere: the chain differs
    const SeqId e = kv.add_sequence();
    CHECK(kv.reuse_prefix(e, swapped, 10) == 0);
    CHECK(kv.stats().prefix_tokens_reused == 16);
    check_conservation(kv);
}

TEST_CASE("cached pages survive their sequence and are evicted least recently released first, ends first") {
    KvCache kv(4, 2);
    const SeqId a = kv.add_sequence();
    store(kv, a, iota_tokens(4, 0));  // pages p0 p1
    kv.remove_sequence(a);
    CHECK(kv.stats().pages_cached == 2);
    const SeqId b = kv.add_sequence();
    store(kv, b, iota_tokens(6, 50));  // two never-used pages, then evicts a's last page
    CHECK(kv.stats().pages_cached == 1);
    const SeqId c = kv.add_sequence();
    CHECK(kv.reuse_prefix(c, iota_tokens(4, 0), 4) == 2);  // a's first page is still there
    kv.remove_sequence(c);
    kv.remove_sequence(b);
    check_conservation(kv);
    CHECK(kv.stats().pages_used == 0);
}

// Attention streams a sequence's keys page by page, fastest when the pages ascend in memory.
TEST_CASE("a sequence's new pages ascend: after its last page where free, and in order when evicted") {
    KvCache kv(8, 2);
    std::vector<SeqId> seqs;
    for (int32_t i = 0; i < 4; ++i) {
        seqs.push_back(kv.add_sequence());
        store(kv, seqs.back(), iota_tokens(1, 10 * i));  // pages 0, 1, 2, 3, each with one token
    }
    kv.remove_sequence(seqs[1]);  // pages 1 and 3 free again (partial pages are not cached)
    kv.remove_sequence(seqs[3]);
    store(kv, seqs[2], iota_tokens(3, 100));  // grows by one page: the one after its own, not the lowest free
    CHECK(std::vector<PageId>(kv.block_table(seqs[2]).begin(), kv.block_table(seqs[2]).end()) == std::vector<PageId>{2, 3});

    KvCache full(4, 2);
    const SeqId a = full.add_sequence();
    store(full, a, iota_tokens(8, 0));  // pages 0-3, all full: cached when released, last page first
    full.remove_sequence(a);
    const SeqId b = full.add_sequence();
    store(full, b, iota_tokens(7, 50));  // evicts them all, in the LRU's order 3, 2, 1, 0
    CHECK(std::vector<PageId>(full.block_table(b).begin(), full.block_table(b).end()) == std::vector<PageId>{0, 1, 2, 3});
    full.remove_sequence(b);  // pages 0-2 cached, 3 (partial) free
    const SeqId c = full.add_sequence();
    for (int32_t step = 0; step < 4; ++step) store(full, c, iota_tokens(2, 200 + 2 * step));  // a page per step, as decoding
    CHECK(std::vector<PageId>(full.block_table(c).begin(), full.block_table(c).end()) == std::vector<PageId>{3, 0, 1, 2});
    check_conservation(full);

    KvCache two(4, 2);
    const SeqId first = two.add_sequence(), second = two.add_sequence();
    store(two, first, iota_tokens(4, 0));    // pages 0 and 1
    store(two, second, iota_tokens(4, 10));  // pages 2 and 3
    two.remove_sequence(first);              // the LRU: 1, 0,
    two.remove_sequence(second);             // then 3, 2
    const SeqId d = two.add_sequence();
    store(two, d, iota_tokens(2, 20));  // page 1, the least recently released
    store(two, d, iota_tokens(2, 30));  // page 2, the cached page after it, before the LRU's 0
    CHECK(std::vector<PageId>(two.block_table(d).begin(), two.block_table(d).end()) == std::vector<PageId>{1, 2});
}

TEST_CASE("fork shares pages and the first write to a shared page copies it") {
    KvCache kv(8, 4);
    const SeqId a = kv.add_sequence();
    store(kv, a, iota_tokens(6));  // pages: full, half
    const SeqId b = kv.fork(a);
    CHECK(kv.stats().pages_used == 2);
    CHECK(kv.stats().token_slots_used == 6);
    const PageId shared_last = kv.block_table(a)[1];
    const std::vector<PageCopy> copies = store(kv, b, {1});
    REQUIRE(copies.size() == 1);
    CHECK(copies[0].from == shared_last);
    CHECK(kv.block_table(b)[1] == copies[0].to);
    CHECK(kv.block_table(b)[0] == kv.block_table(a)[0]);  // the full page stays shared
    CHECK(store(kv, a, {2}).empty());  // a is the only owner now: writes in place
    CHECK(kv.block_table(a)[1] == shared_last);
    kv.remove_sequence(a);
    kv.remove_sequence(b);
    CHECK(kv.stats().pages_used == 0);
    check_conservation(kv);
}

TEST_CASE("truncating into a published page unpublishes it before it is overwritten") {
    KvCache kv(8, 4);
    const SeqId a = kv.add_sequence();
    store(kv, a, iota_tokens(8));
    kv.truncate(a, 6);
    CHECK(kv.block_table(a).size() == 2);
    store(kv, a, {7, 7});  // rewrites slots of the second page
    const SeqId b = kv.add_sequence();
    CHECK(kv.reuse_prefix(b, iota_tokens(8), 8) == 4);  // the old second page is no longer offered
    std::vector<int32_t> rewritten = iota_tokens(6);
    rewritten.push_back(7);
    rewritten.push_back(7);
    const SeqId c = kv.add_sequence();
    CHECK(kv.reuse_prefix(c, rewritten, 8) == 8);  // the rewritten page is published anew
}

TEST_CASE("randomized operations never leak or double-free a page") {
    std::mt19937 rng(1234);
    KvCache kv(24, 4);
    std::vector<SeqId> live;
    std::vector<int32_t> prefix = iota_tokens(12, 7);
    for (int op = 0; op < 5000; ++op) {
        const int kind = static_cast<int>(rng() % 6);
        if (kind == 0 || live.empty()) {
            const SeqId s = kv.add_sequence();
            std::vector<int32_t> tokens(prefix.begin(), prefix.begin() + rng() % prefix.size());
            kv.reuse_prefix(s, tokens, static_cast<int32_t>(tokens.size()));
            live.push_back(s);
        } else {
            const size_t i = rng() % live.size();
            const SeqId s = live[i];
            if (kind == 1) {
                kv.remove_sequence(s);
                live.erase(live.begin() + static_cast<std::ptrdiff_t>(i));
            } else if (kind == 2) {
                live.push_back(kv.fork(s));
            } else if (kind == 3) {
                kv.truncate(s, static_cast<int32_t>(rng() % (kv.length(s) + 1)));
            } else {
                const int32_t n = 1 + static_cast<int32_t>(rng() % 6);
                std::vector<PageCopy> copies;
                if (kv.reserve(s, n, copies)) {
                    std::vector<int32_t> tokens(n);
                    for (auto& t : tokens) t = static_cast<int32_t>(rng() % 3);
                    kv.append(s, tokens);
                }
            }
        }
        const KvCacheStats st = kv.stats();
        REQUIRE(st.pages_used + st.pages_cached + st.pages_free == st.pages_total);
        REQUIRE(st.token_slots_used <= static_cast<int64_t>(st.pages_used) * st.page_size);
    }
    for (SeqId s : live) kv.remove_sequence(s);
    CHECK(kv.stats().pages_used == 0);
    CHECK(kv.free_pages() == kv.n_pages());
}

TEST_CASE("misuse is an internal error, not a crash") {
    KvCache kv(2, 4);
    CHECK_THROWS_AS(kv.length(42), Error);
    const SeqId s = kv.add_sequence();
    CHECK_THROWS_AS(kv.append(s, iota_tokens(1)), Error);  // nothing reserved
    CHECK_THROWS_AS(kv.truncate(s, 1), Error);
    CHECK_THROWS_AS(KvCache(0, 4), Error);
}

}  // namespace
}  // namespace hearth
