#pragma once
// Declarations of the generated Unicode tables (core/tokenizer/unicode_data.cpp, made by
// scripts/gen-unicode-tables.py). Use the lookups in unicode.h rather than these arrays.
#include <cstddef>
#include <cstdint>

namespace hearth::tokenizer {

// Major Unicode general category; `other` covers Cc, Cf, Cs, Co and unassigned code points.
enum class Category : uint8_t { other, letter, number, mark, punctuation, symbol, separator };

namespace unicode_data {

struct CategoryRange {
    uint32_t first;
    uint32_t last;  // inclusive
    Category category;
};

// Every stride-th code point in [first, last] lowercases to itself + delta.
struct LowercaseRun {
    uint32_t first;
    uint32_t last;  // inclusive
    uint32_t stride;
    int32_t delta;
};

extern const CategoryRange category_ranges[];  // sorted, disjoint
extern const size_t category_range_count;
extern const uint32_t whitespace[];  // sorted
extern const size_t whitespace_count;
extern const LowercaseRun lowercase_runs[];  // sorted, disjoint
extern const size_t lowercase_run_count;

}  // namespace unicode_data
}  // namespace hearth::tokenizer
