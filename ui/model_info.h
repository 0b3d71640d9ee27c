#pragma once
// What the model picker shows about a GGUF file, read from its metadata and tensor table without
// loading the weights: size, architecture, main quant type and trained context length.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hearth::ui {

struct ModelInfo {
    std::filesystem::path path;
    uint64_t file_bytes = 0;
    std::string name;          // general.name, else the file name without .gguf
    std::string architecture;  // general.architecture
    std::string quant_type;    // the quantization's name, e.g. "Q4_K_M" (gguf::quantization_name)
    std::string size_label;    // general.size_label ("135M"), "" when absent
    int64_t context_length = 0;  // <arch>.context_length, 0 when absent
};

// Throws Error(io / bad_file) naming the file when it cannot be read as GGUF.
ModelInfo read_model_info(const std::filesystem::path& path);

struct ModelFolderEntry {
    std::filesystem::path path;
    std::optional<ModelInfo> info;  // absent when the file could not be read
    std::string error;              // why, when info is absent
};

// The .gguf files directly in `folder`, sorted by file name; empty when the folder is absent.
std::vector<ModelFolderEntry> scan_model_folder(const std::filesystem::path& folder);

// The model folder: $HEARTH_MODEL_DIR, else ~/.cache/hearth/models.
std::filesystem::path default_model_folder();

// "97.8 MiB"-style text for a byte count.
std::string format_bytes(uint64_t bytes);

}  // namespace hearth::ui
