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
    while (current_ < blocks_.size() && used_ + floats > blocks_[current_].size) {
        ++current_;
        used_ = 0;
    }
    if (current_ == blocks_.size()) {
        const size_t size = std::max(floats, kMinBlockFloats);
        Block block;
        block.data.reset(static_cast<float*>(std::aligned_alloc(64, size * sizeof(float))));
        if (!block.data) throw Error(ErrorKind::out_of_memory, "activation arena: cannot allocate " +
                                                                   std::to_string(size * 4) + " bytes");
        block.size = size;
        blocks_.push_back(std::move(block));
    }
    float* result = blocks_[current_].data.get() + used_;
    used_ += floats;
    return result;
}

void Arena::release_to(Mark mark) {
    require(mark.block < current_ || (mark.block == current_ && mark.used <= used_), ErrorKind::internal,
            "activation arena: releasing to a mark ahead of the allocations");
    current_ = mark.block;
    used_ = mark.used;
}

void Arena::reset() {
    current_ = 0;
    used_ = 0;
    if (blocks_.size() > 1) {
        const size_t total = capacity();
        blocks_.clear();
        alloc(total);
        used_ = 0;
    }
}

size_t Arena::capacity() const {
    size_t total = 0;
    for (const auto& block : blocks_) total += block.size;
    return total;
}

}  // namespace hearth::cpu
