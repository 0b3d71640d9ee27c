// The generator against the published reference outputs, so the stream is the real algorithm.
#include <doctest/doctest.h>

#include "core/sample/rng.h"

namespace hearth {

TEST_CASE("xoshiro256** matches the reference outputs for state {1, 2, 3, 4}") {
    Xoshiro256 rng(Xoshiro256::State{1, 2, 3, 4});
    CHECK(rng.next() == 11520ULL);
    CHECK(rng.next() == 0ULL);
    CHECK(rng.next() == 1509978240ULL);
    CHECK(rng.next() == 1215971899390074240ULL);
}

TEST_CASE("splitmix64 matches its reference output for seed 0") {
    uint64_t sequence = 0;
    CHECK(Xoshiro256::splitmix64(sequence) == 0xe220a8397b1dcdafULL);
}

TEST_CASE("uniform() takes the top 53 bits") {
    Xoshiro256 rng(Xoshiro256::State{1, 2, 3, 4});
    CHECK(rng.uniform() == 5.0 * 0x1.0p-53);  // 11520 >> 11 == 5
    Xoshiro256 seeded(7);
    for (int i = 0; i < 10000; ++i) {
        const double u = seeded.uniform();
        REQUIRE(u >= 0.0);
        REQUIRE(u < 1.0);
    }
}

TEST_CASE("seeding is deterministic and seeds differ") {
    Xoshiro256 a(42), b(42), c(43);
    int differ = 0;
    for (int i = 0; i < 16; ++i) {
        const uint64_t x = a.next();
        CHECK(x == b.next());
        differ += x != c.next();
    }
    CHECK(differ == 16);
}

}  // namespace hearth
