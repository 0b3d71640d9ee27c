// libFuzzer target for the GGUF reader. Every input must parse or throw hearth::Error. An
// accepted input must also hold the reader's promises (tensor data inside the input, aligned,
// disjoint) and survive a copy through the writer: the copy parses, and copying the copy gives
// the same bytes.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "core/error.h"
#include "core/gguf/gguf_file.h"
#include "core/gguf/gguf_writer.h"

using namespace hearth;
using namespace hearth::gguf;

namespace {

void require(bool condition) {
    if (!condition) __builtin_trap();
}

uint64_t touch_metadata(const GgufFile& file) {
    uint64_t checksum = 0;
    for (const auto& [key, value] : file.metadata()) {
        require(file.find(key) == &value);
        try {
            if (const Array* array = file.find_array(key)) {
                for (const auto text : array->strings) checksum += text.empty() ? 0 : static_cast<uint8_t>(text.back());
                checksum += array->size();
            } else if (const auto text = file.find_string(key)) {
                checksum += text->size();
            } else if (value.type == ValueType::boolean) {
                checksum += file.get_bool(key);
            } else {
                checksum += static_cast<uint64_t>(file.get_float(key) > 0);
                checksum += static_cast<uint64_t>(file.get_int(key));
            }
        } catch (const Error&) {
            checksum += 1;  // e.g. get_int of a u64 above INT64_MAX
        }
    }
    return checksum;
}

uint64_t touch_tensors(const GgufFile& file, std::span<const uint8_t> input) {
    uint64_t checksum = 0;
    for (const TensorInfo& tensor : file.tensors()) {
        require(file.find_tensor(tensor.name) == &tensor);
        require(tensor.nbytes > 0 && tensor.offset % file.alignment() == 0);
        require(tensor.data >= input.data() && tensor.data + tensor.nbytes <= input.data() + input.size());
        require(tensor.elements() > 0 && tensor.rows() > 0);
        for (uint64_t i = 0; i < tensor.nbytes; ++i) checksum += tensor.data[i];
    }
    return checksum;
}

std::vector<uint8_t> copy_through_writer(const GgufFile& file) {
    GgufWriter writer;
    for (const auto& [key, value] : file.metadata()) writer.set_value(key, value);
    for (const TensorInfo& t : file.tensors())
        writer.add_tensor_view(t.name, t.type, t.shape, std::span<const uint8_t>(t.data, t.nbytes));
    return writer.to_bytes();
}

void check_writer_copy(const GgufFile& file) {
    const std::vector<uint8_t> copy = copy_through_writer(file);
    const auto reread = GgufFile::from_memory(copy);  // a throw here escapes and is reported
    require(reread->metadata().size() == file.metadata().size());
    require(reread->tensors().size() == file.tensors().size());
    require(copy_through_writer(*reread) == copy);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::span<const uint8_t> input(data, size);
    std::unique_ptr<GgufFile> file;
    try {
        file = GgufFile::from_memory(input);
    } catch (const Error&) {
        return 0;
    }
    require(file->file_size() == size);
    volatile uint64_t sink = touch_metadata(*file) + touch_tensors(*file, input);
    (void)sink;
    check_writer_copy(*file);
    return 0;
}
