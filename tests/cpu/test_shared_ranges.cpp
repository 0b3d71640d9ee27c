// Decode's shared ranges hand every unit out exactly once, whoever claims it: the owner from the
// front, others from the back, a thief first when the owner starts late, job after job (past the
// 16-bit tag's wrap).
#include <doctest/doctest.h>

#include <atomic>
#include <cstdint>
#include <vector>

#include "backends/cpu/shared_ranges.h"
#include "backends/cpu/thread_pool.h"

namespace hearth::cpu {
namespace {

void check_units(UnitRange units, int64_t begin, int64_t end) {
    CHECK(units.begin == begin);
    CHECK(units.end == end);
}

TEST_CASE("the owner takes half of what is left from the front, a thief half from the back") {
    SharedRanges ranges(2);
    ranges.open(0, 0, 1, {10, 20});
    check_units(ranges.claim_front(0, 0), 10, 15);
    check_units(ranges.steal_back(0, 0), 17, 20);
    check_units(ranges.claim_front(0, 0), 15, 16);
    check_units(ranges.steal_back(0, 0), 16, 17);
    CHECK(ranges.claim_front(0, 0).empty());
    CHECK(ranges.steal_back(0, 0).empty());
}

TEST_CASE("a range opened by a thief is not reopened by its owner in the same job, and is in the next") {
    SharedRanges ranges(2);
    ranges.open(1, 2, 7, {0, 8});  // thread 0 robs thread 1's part 2 before thread 1 starts
    CHECK(ranges.steal_back(1, 2).begin == 4);
    ranges.open(1, 2, 7, {0, 8});  // the owner arrives: its range stays robbed
    CHECK(ranges.claim_front(1, 2).end == 2);
    ranges.open(1, 2, 8, {0, 8});  // the next job
    CHECK(ranges.claim_front(1, 2).end == 4);
}

TEST_CASE("every unit runs exactly once when threads claim and steal at once, job after job") {
    for (int threads : {2, 3, 5}) {
        ThreadPool pool(threads);
        SharedRanges ranges(threads);
        uint16_t tag = 0;
        for (int job = 0; job < 70'000; job += job < 300 ? 1 : 997) {  // a few hundred jobs, then past the wrap
            const int parts = 1 + job % SharedRanges::kMaxParts;
            const int64_t units = 1 + job % 37;  // per thread and part, 1 to 37
            std::vector<std::atomic<int>> runs(static_cast<size_t>(parts * threads * units));
            ++tag;
            pool.parallel_for_workers(threads, [&](int64_t task, int) {
                const int t = static_cast<int>(task);
                const auto range_of = [&](int owner, int p) { return UnitRange{(p * threads + owner) * units, (p * threads + owner + 1) * units}; };
                const auto run = [&](UnitRange r) {
                    for (int64_t u = r.begin; u < r.end; ++u) runs[static_cast<size_t>(u)].fetch_add(1);
                };
                for (int p = 0; p < SharedRanges::kMaxParts; ++p) ranges.open(t, p, tag, p < parts ? range_of(t, p) : UnitRange{});
                for (int p = 0; p < parts; ++p)
                    for (UnitRange r; !(r = ranges.claim_front(t, p)).empty();) run(r);
                for (int i = 1; i < threads; ++i)
                    for (int p = parts - 1; p >= 0; --p) {
                        const int owner = (t + i) % threads;
                        ranges.open(owner, p, tag, range_of(owner, p));
                        for (UnitRange r; !(r = ranges.steal_back(owner, p)).empty();) run(r);
                    }
            });
            int wrong = 0;
            for (auto& r : runs) wrong += r.load() != 1;
            INFO("threads=" << threads << " job=" << job);
            REQUIRE(wrong == 0);
        }
    }
}

}  // namespace
}  // namespace hearth::cpu
