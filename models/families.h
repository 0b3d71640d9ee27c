#pragma once
// Loaders of the supported architecture families, one file each; models/registry.cpp maps
// general.architecture to them.
#include <memory>

#include "models/model.h"

namespace hearth {

std::unique_ptr<Model> load_llama(const gguf::GgufFile& file, Backend& backend);
std::unique_ptr<Model> load_qwen2(const gguf::GgufFile& file, Backend& backend);
std::unique_ptr<Model> load_gemma3(const gguf::GgufFile& file, Backend& backend);

}  // namespace hearth
