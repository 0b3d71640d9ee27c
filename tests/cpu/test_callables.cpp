// The allocation-free callables (backends/cpu/callables.h): a FunctionRef calls the very object it
// was made from, an InplaceFunction keeps its own copy of the closure's values, and a FixedVector
// refuses an element beyond its capacity instead of writing past it.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "backends/cpu/callables.h"

namespace hearth::cpu {
namespace {

TEST_CASE("a FunctionRef calls the callable it refers to, state and all") {
    int calls = 0;
    auto count = [&calls](int64_t step) { calls += static_cast<int>(step); };
    const FunctionRef<void(int64_t)> ref = count;
    ref(2);
    ref(3);
    CHECK(calls == 5);

    struct Doubler {
        int factor = 2;
        int operator()(int x) const { return factor * x; }
    } doubler;
    const FunctionRef<int(int)> twice = doubler;
    doubler.factor = 3;  // a reference sees the object as it is at the call
    CHECK(twice(7) == 21);
}

TEST_CASE("an InplaceFunction owns a copy of its closure's values") {
    std::vector<int64_t> seen;
    int64_t base = 100;
    int64_t* const sink = &base;
    InplaceFunction<int64_t(int64_t, int), 64> add_base = [offset = base, sink](int64_t task, int worker) {
        *sink = task;
        return offset + task * 10 + worker;
    };
    base = 5;  // the closure captured 100 by value
    CHECK(static_cast<bool>(add_base));
    CHECK(add_base(3, 1) == 131);
    CHECK(base == 3);  // and the pointer it captured still points here
    const InplaceFunction<int64_t(int64_t, int), 64> copy = add_base;
    CHECK(copy(4, 0) == 140);
    CHECK_FALSE(static_cast<bool>(InplaceFunction<void(), 16>{}));
}

TEST_CASE("a FixedVector holds up to its capacity, refuses one more, and empties") {
    FixedVector<int, 3> items;
    CHECK(items.size() == 0);
    CHECK(items.begin() == items.end());
    for (int v : {4, 5, 6}) {
        CHECK_FALSE(items.full());
        items.push_back(v);
    }
    CHECK(items.full());
    CHECK(items.size() == 3);
    CHECK(items.back() == 6);
    int sum = 0;
    for (int v : items) sum += v;
    CHECK(sum == 15);
    items[1] = 50;
    CHECK(items[1] == 50);
    CHECK_THROWS_AS(items.push_back(7), Error);
    CHECK(items.size() == 3);
    items.clear();
    CHECK(items.size() == 0);
    CHECK_FALSE(items.full());
    items.push_back(8);
    CHECK(items.back() == 8);
}

}  // namespace
}  // namespace hearth::cpu
