#pragma once
// Budgets that keep a hostile chat template from hanging, exhausting memory or the stack.
#include <cstddef>

namespace hearth {

struct ChatRenderLimits {
    std::size_t max_output_bytes = std::size_t{16} << 20;  // the result and any string built on the way
    std::size_t max_steps = 1'000'000;  // loop iterations, macro calls and list items created
    int max_depth = 256;  // nested statements, expressions and macro calls (about 1 KiB of stack each)
};

}  // namespace hearth
