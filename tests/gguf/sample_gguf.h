#pragma once
// A small but varied writer-made GGUF image (several value types, string arrays, tensors of
// several dtypes), shared by the tests and the fuzz seed generator.
#include <cstdint>
#include <vector>

#include "core/gguf/gguf_writer.h"

namespace hearth::test {

struct SampleOptions {
    uint32_t version = 3;
    uint32_t alignment = 32;
    uint32_t tensor_count = 4;  // 0 to 4
    uint32_t seed = 1;          // tensor bytes are seeded random
};

gguf::GgufWriter make_sample_writer(const SampleOptions& options = {});
std::vector<uint8_t> make_sample_gguf(const SampleOptions& options = {});

}  // namespace hearth::test
