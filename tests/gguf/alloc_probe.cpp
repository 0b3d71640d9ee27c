#include "tests/gguf/alloc_probe.h"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
// Test-only process state: operator new has nowhere else to report to.
std::atomic<size_t> g_largest{0};

void* allocate(size_t size) {
    size_t seen = g_largest.load(std::memory_order_relaxed);
    while (size > seen && !g_largest.compare_exchange_weak(seen, size, std::memory_order_relaxed)) {
    }
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
}  // namespace

void* operator new(size_t size) { return allocate(size); }
void* operator new[](size_t size) { return allocate(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }

namespace hearth::test {

void reset_largest_allocation() { g_largest.store(0, std::memory_order_relaxed); }
size_t largest_allocation() { return g_largest.load(std::memory_order_relaxed); }

}  // namespace hearth::test
