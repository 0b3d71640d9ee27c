#include "backends/cpu/arena.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "core/error.h"

namespace hearth::cpu {
namespace {
constexpr size_t kMinBlockFloats = size_t{1} << 20;
constexpr size_t kAlignFloats = 16;  // 64-byte alignment of every allocation
}  // namespace

float* Arena::alloc(size_t floats) {
    floats = (floats + kAlignFloats - 1) / kAlignFloats * kAlignFloats;
    if (blocks_.empty() || used_ + floats > blocks_.back().size) {
        const size_t size = std::max(floats, kMinBlockFloats);
        Block block;
        block.data.reset(static_cast<float*>(std::aligned_alloc(64, size * sizeof(float))));
        if (!block.data) throw Error(ErrorKind::out_of_memory, "activation arena: cannot allocate " +
                                                                   std::to_string(size * 4) + " bytes");
        block.size = size;
        blocks_.push_back(std::move(block));
        used_ = 0;
    }
    float* result = blocks_.back().data.get() + used_;
    used_ += floats;
    return result;
}

void Arena::reset() {
    if (blocks_.size() > 1) {
        const size_t total = capacity();
        blocks_.clear();
        alloc(total);
    }
    used_ = 0;
}

size_t Arena::capacity() const {
    size_t total = 0;
    for (const auto& block : blocks_) total += block.size;
    return total;
}

}  // namespace hearth::cpu
