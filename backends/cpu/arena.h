#pragma once
// Bump allocator for one step's activations: alloc is a pointer bump, reset frees everything, and
// release_to a mark frees what came after it (a layer's intermediates, so that every layer writes
// the same memory, which stays in cache and is mapped once). After a step that needed several
// blocks, the next reset merges them into one block.
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <vector>

namespace hearth::cpu {

class Arena {
public:
    struct Mark {
        size_t block = 0;
        size_t used = 0;
    };
    float* alloc(size_t floats);
    void reset();
    size_t capacity() const;
    Mark mark() const { return {current_, used_}; }
    // Allocations after `mark` are free again (their blocks stay for the next allocations).
    void release_to(Mark mark);

private:
    struct FreeDeleter {
        void operator()(float* p) const { std::free(p); }
    };
    struct Block {
        std::unique_ptr<float[], FreeDeleter> data;
        size_t size = 0;
    };
    std::vector<Block> blocks_;
    size_t current_ = 0;  // the block allocations come from
    size_t used_ = 0;     // floats used in it
};

}  // namespace hearth::cpu
