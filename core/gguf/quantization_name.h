#pragma once
// The name people know a file's quantization by ("Q4_K_M", "Q8_0"): the GGUF general.file_type
// when it names one, else the type holding most of the matrix bytes ("?" without matrices).
#include <string>

#include "core/gguf/gguf_file.h"

namespace hearth::gguf {

std::string quantization_name(const GgufFile& file);

}  // namespace hearth::gguf
