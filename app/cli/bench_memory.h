#pragma once
// Memory read bandwidth as decoding sees it: threads summing disjoint slices of a buffer far
// larger than the caches. Decoding a token reads every weight once, so tokens/s x weight bytes
// over this figure says how close generation runs to the machine's limit.
#include <cstdint>

namespace hearth::cli {

// 1e9 bytes per second, the median of `runs` reads of the buffer.
double measure_read_bandwidth(int threads, int64_t buffer_bytes = int64_t{1} << 30, int runs = 7);

}  // namespace hearth::cli
