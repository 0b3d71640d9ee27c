// fp16 / bf16 conversions: special values, subnormals and rounding ties bit for bit, every half
// round-tripped, and float->half checked against the compiler's own _Float16 conversion.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <ios>
#include <limits>
#include <random>

#include "core/quant/half.h"

namespace hearth {
namespace {

float bits_to_float(uint32_t bits) { return std::bit_cast<float>(bits); }

TEST_CASE("fp16 special values convert exactly both ways") {
    CHECK(f32_to_fp16(0.0f) == 0x0000);
    CHECK(f32_to_fp16(-0.0f) == 0x8000);
    CHECK(f32_to_fp16(1.0f) == 0x3C00);
    CHECK(f32_to_fp16(-2.0f) == 0xC000);
    CHECK(f32_to_fp16(65504.0f) == 0x7BFF);  // largest finite half
    CHECK(f32_to_fp16(std::numeric_limits<float>::infinity()) == 0x7C00);
    CHECK(f32_to_fp16(-std::numeric_limits<float>::infinity()) == 0xFC00);
    CHECK(f32_to_fp16(1e30f) == 0x7C00);
    CHECK(f32_to_fp16(std::nanf("")) == 0x7E00);
    CHECK(f32_to_fp16(-std::nanf("")) == 0xFE00);
    CHECK(f32_to_fp16(std::ldexp(1.0f, -14)) == 0x0400);  // smallest normal half
    CHECK(f32_to_fp16(std::ldexp(1.0f, -24)) == 0x0001);  // smallest subnormal half
    CHECK(f32_to_fp16(std::ldexp(3.0f, -24)) == 0x0003);
    CHECK(f32_to_fp16(1e-10f) == 0x0000);

    CHECK(fp16_to_f32(0x3C00) == 1.0f);
    CHECK(std::signbit(fp16_to_f32(0x8000)));
    CHECK(fp16_to_f32(0x7BFF) == 65504.0f);
    CHECK(fp16_to_f32(0x0001) == std::ldexp(1.0f, -24));
    CHECK(fp16_to_f32(0x03FF) == std::ldexp(1023.0f, -24));  // largest subnormal
    CHECK(std::isinf(fp16_to_f32(0xFC00)));
    CHECK(fp16_to_f32(0xFC00) < 0);
    CHECK(std::isnan(fp16_to_f32(0x7E00)));
    CHECK(std::isnan(fp16_to_f32(0x7C01)));  // signalling NaN stays NaN
}

TEST_CASE("fp16 rounds to nearest with ties to even") {
    CHECK(f32_to_fp16(1.0f + std::ldexp(1.0f, -11)) == 0x3C00);      // tie between 1 and 1+2^-10: even is 1
    CHECK(f32_to_fp16(1.0f + 3 * std::ldexp(1.0f, -11)) == 0x3C02);  // tie: rounds up to the even 1+2^-9
    CHECK(f32_to_fp16(std::nextafter(1.0f + std::ldexp(1.0f, -11), 2.0f)) == 0x3C01);  // just above the tie
    CHECK(f32_to_fp16(65519.0f) == 0x7BFF);                           // below the tie with infinity
    CHECK(f32_to_fp16(65520.0f) == 0x7C00);                           // tie with 65536 rounds to infinity
    CHECK(f32_to_fp16(std::ldexp(1.0f, -25)) == 0x0000);              // tie between 0 and 2^-24: even is 0
    CHECK(f32_to_fp16(std::ldexp(3.0f, -25)) == 0x0002);              // tie between 1 and 2 units: even is 2
    CHECK(f32_to_fp16(std::nextafter(std::ldexp(1.0f, -25), 1.0f)) == 0x0001);
    CHECK(f32_to_fp16(std::ldexp(2047.0f, -25)) == 0x0400);           // largest subnormal + half a unit carries
}

TEST_CASE("every half survives a round trip through float") {
    for (uint32_t h = 0; h <= 0xFFFF; ++h) {
        const auto half = static_cast<uint16_t>(h);
        const float f = fp16_to_f32(half);
        if (std::isnan(f)) {
            CHECK((f32_to_fp16(f) & 0x7FFF) == 0x7E00);
            continue;
        }
        if (f32_to_fp16(f) != half) FAIL("half 0x" << std::hex << h << " does not round-trip");
    }
}

// GCC before 13 accepts _Float16 in C++ only on x86 (it still defines __FLT16_MAX__ on aarch64).
#if defined(__FLT16_MAX__) && (defined(__x86_64__) || defined(__clang__) || __GNUC__ >= 13)
TEST_CASE("float to fp16 matches the compiler's _Float16 conversion on random floats") {
    std::mt19937 rng(5);
    std::uniform_int_distribution<uint32_t> any_bits;
    int mismatches = 0;
    for (int i = 0; i < 200000; ++i) {
        // Mostly values near the half range, where rounding happens, plus fully random bit patterns.
        uint32_t bits = any_bits(rng);
        if (i % 4 != 0) bits = (bits & 0x807FFFFFu) | ((100u + bits % 50u) << 23);
        const float f = bits_to_float(bits);
        if (std::isnan(f)) continue;
        const auto expected = std::bit_cast<uint16_t>(static_cast<_Float16>(f));
        if (f32_to_fp16(f) != expected) ++mismatches;
        if (fp16_to_f32(expected) != static_cast<float>(static_cast<_Float16>(f))) ++mismatches;
    }
    CHECK(mismatches == 0);
}
#endif

TEST_CASE("bf16 conversions match ggml's rounding") {
    CHECK(f32_to_bf16(1.0f) == 0x3F80);
    CHECK(f32_to_bf16(-0.0f) == 0x8000);
    CHECK(f32_to_bf16(1.0f + std::ldexp(1.0f, -8)) == 0x3F80);      // tie: even is 1
    CHECK(f32_to_bf16(1.0f + 3 * std::ldexp(1.0f, -8)) == 0x3F82);  // tie: rounds up to even
    CHECK(f32_to_bf16(std::nextafter(1.0f + std::ldexp(1.0f, -8), 2.0f)) == 0x3F81);
    CHECK(f32_to_bf16(std::numeric_limits<float>::infinity()) == 0x7F80);
    CHECK(f32_to_bf16(-std::numeric_limits<float>::infinity()) == 0xFF80);
    CHECK(f32_to_bf16(std::numeric_limits<float>::max()) == 0x7F80);  // rounds up to infinity
    CHECK(f32_to_bf16(bits_to_float(0x00008000u)) == 0x0000);          // subnormal tie: even is 0
    CHECK(f32_to_bf16(bits_to_float(0x00018000u)) == 0x0002);          // subnormals are kept, not flushed
    CHECK(f32_to_bf16(bits_to_float(0x7F800001u)) == 0x7FC0);          // signalling NaN forced quiet
    CHECK(f32_to_bf16(bits_to_float(0xFFC12345u)) == 0xFFC1);          // NaN keeps sign and top payload
    CHECK(bf16_to_f32(0x3F80) == 1.0f);
    CHECK(bf16_to_f32(0x0001) == bits_to_float(0x00010000u));
    CHECK(std::isnan(bf16_to_f32(0x7FC0)));
    for (uint32_t b = 0; b <= 0xFFFF; ++b) {
        const auto bf = static_cast<uint16_t>(b);
        const float f = bf16_to_f32(bf);
        if (!std::isnan(f) && f32_to_bf16(f) != bf) FAIL("bf16 0x" << std::hex << b << " does not round-trip");
    }
}

}  // namespace
}  // namespace hearth
