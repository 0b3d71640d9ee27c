#include "tests/gguf/parse_probe.h"

#include <doctest/doctest.h>

#include "core/error.h"
#include "core/gguf/gguf_file.h"
#include "tests/gguf/alloc_probe.h"

namespace hearth::test {
namespace {

// Reads every metadata value through the typed lookups and the ends of every tensor, so a parse that
// accepted bad offsets would show up (under ASan) or crash.
uint64_t touch_everything(const gguf::GgufFile& file) {
    uint64_t checksum = 0;
    for (const auto& [key, value] : file.metadata()) {
        checksum += key.size() + static_cast<uint64_t>(value.type);
        try {
            if (const auto* array = file.find_array(key)) {
                checksum += array->size();
                for (const auto text : array->strings) checksum += text.size();
            } else if (const auto text = file.find_string(key)) {
                checksum += text->size();
            } else if (value.type == gguf::ValueType::boolean) {
                checksum += file.get_bool(key) ? 1 : 0;
            } else {
                checksum += static_cast<uint64_t>(file.get_float(key) != 0.0);
                checksum += static_cast<uint64_t>(file.find_int(key).value_or(0));
            }
        } catch (const Error&) {
            checksum += 1;  // e.g. find_int of a u64 above INT64_MAX
        }
    }
    for (const gguf::TensorInfo& tensor : file.tensors()) {
        REQUIRE(file.find_tensor(tensor.name) == &tensor);
        checksum += static_cast<uint64_t>(tensor.elements() + tensor.rows());
        // Ranges are contiguous, so the first and last byte prove the whole range is mapped.
        checksum += tensor.data[0] + tensor.data[tensor.nbytes - 1];
    }
    return checksum;
}

}  // namespace

ProbeResult probe_parse(std::span<const uint8_t> bytes) {
    ProbeResult result;
    reset_largest_allocation();
    std::unique_ptr<gguf::GgufFile> file;
    try {
        file = gguf::GgufFile::from_memory(bytes);
    } catch (const Error&) {
        result.largest_allocation = largest_allocation();
        return result;
    }
    result.largest_allocation = largest_allocation();
    result.parsed = true;
    CHECK(file->file_size() == bytes.size());
    result.checksum = touch_everything(*file);
    return result;
}

}  // namespace hearth::test
