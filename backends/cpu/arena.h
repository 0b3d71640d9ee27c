#pragma once
// Bump allocator for one step's activations: alloc is a pointer bump, reset frees everything.
// After a step that needed several blocks, the next reset merges them into one block.
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <vector>

namespace hearth::cpu {

class Arena {
public:
    float* alloc(size_t floats);
    void reset();
    size_t capacity() const;

private:
    struct FreeDeleter {
        void operator()(float* p) const { std::free(p); }
    };
    struct Block {
        std::unique_ptr<float[], FreeDeleter> data;
        size_t size = 0;
    };
    std::vector<Block> blocks_;
    size_t used_ = 0;  // floats used in the last block
};

}  // namespace hearth::cpu
