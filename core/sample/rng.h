#pragma once
// The sampler's random numbers: xoshiro256** (Blackman & Vigna) seeded through splitmix64.
// Only fixed-width integer arithmetic and an exact integer-to-double conversion, so one seed
// gives the same stream on every platform, compiler and standard library (unlike <random>'s
// distributions, whose algorithms are implementation-defined).
#include <array>
#include <cstdint>

namespace hearth {

class Xoshiro256 {
public:
    using State = std::array<uint64_t, 4>;

    // Expands the seed with splitmix64, which never yields the all-zero state.
    explicit Xoshiro256(uint64_t seed) {
        uint64_t sequence = seed;
        for (uint64_t& word : state_) word = splitmix64(sequence);
    }
    // A raw state, for checking against the published reference outputs.
    explicit Xoshiro256(const State& state) : state_(state) {}

    uint64_t next() {
        const uint64_t result = rotl(state_[1] * 5, 7) * 9;
        const uint64_t shifted = state_[1] << 17;
        state_[2] ^= state_[0];
        state_[3] ^= state_[1];
        state_[1] ^= state_[2];
        state_[0] ^= state_[3];
        state_[2] ^= shifted;
        state_[3] = rotl(state_[3], 45);
        return result;
    }

    // Uniform in [0, 1): the top 53 bits times 2^-53, exact in a double.
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

    // One step of splitmix64: advances `sequence` and returns its mixed output.
    static uint64_t splitmix64(uint64_t& sequence) {
        sequence += 0x9e3779b97f4a7c15ULL;
        uint64_t z = sequence;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

private:
    static uint64_t rotl(uint64_t x, int bits) { return (x << bits) | (x >> (64 - bits)); }

    State state_;
};

}  // namespace hearth
