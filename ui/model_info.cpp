#include "ui/model_info.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "core/error.h"
#include "core/gguf/gguf_file.h"
#include "core/gguf/quantization_name.h"

namespace hearth::ui {
ModelInfo read_model_info(const std::filesystem::path& path) {
    const auto file = gguf::GgufFile::open(path.string());
    ModelInfo info;
    info.path = path;
    info.file_bytes = file->file_size();
    info.architecture = std::string(file->find_string("general.architecture").value_or("unknown"));
    info.name = std::string(file->find_string("general.name").value_or(path.stem().string()));
    info.size_label = std::string(file->find_string("general.size_label").value_or(""));
    info.quant_type = gguf::quantization_name(*file);
    info.context_length = file->find_int(info.architecture + ".context_length").value_or(0);
    return info;
}

std::vector<ModelFolderEntry> scan_model_folder(const std::filesystem::path& folder) {
    std::vector<ModelFolderEntry> entries;
    std::error_code ec;
    for (const auto& item : std::filesystem::directory_iterator(folder, ec)) {
        if (!item.is_regular_file(ec) || item.path().extension() != ".gguf") continue;
        ModelFolderEntry entry{item.path(), std::nullopt, {}};
        try {
            entry.info = read_model_info(item.path());
        } catch (const std::exception& e) {  // one bad file must not hide the others
            entry.error = e.what();
        }
        entries.push_back(std::move(entry));
    }
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.path.filename() < b.path.filename(); });
    return entries;
}

std::filesystem::path default_model_folder() {
    if (const char* dir = std::getenv("HEARTH_MODEL_DIR")) return dir;
    const char* home = std::getenv("HOME");
    return std::filesystem::path(home ? home : ".") / ".cache" / "hearth" / "models";
}

std::string format_bytes(uint64_t bytes) {
    constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes);
    size_t unit = 0;
    while (value >= 1024.0 && unit + 1 < std::size(kUnits)) value /= 1024.0, ++unit;
    char text[32];
    std::snprintf(text, sizeof(text), unit == 0 ? "%.0f %s" : "%.1f %s", value, kUnits[unit]);
    return text;
}

}  // namespace hearth::ui
