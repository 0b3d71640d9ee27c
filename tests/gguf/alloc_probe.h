#pragma once
// Records the largest single heap allocation made through operator new, so the corrupt-file
// tests can prove a hostile count never turns into a huge allocation.
#include <cstddef>

namespace hearth::test {

void reset_largest_allocation();
size_t largest_allocation();

}  // namespace hearth::test
