#include "core/gguf/quantization_name.h"

#include <algorithm>
#include <cstdint>
#include <map>

namespace hearth::gguf {
namespace {

// llama.cpp's llama_ftype values. The K mixes keep some tensors in other types, which is why
// the bytes alone cannot name them.
std::string file_type_name(int64_t file_type) {
    switch (file_type) {
        case 0: return "F32";
        case 1: return "F16";
        case 2: return "Q4_0";
        case 3: return "Q4_1";
        case 7: return "Q8_0";
        case 8: return "Q5_0";
        case 9: return "Q5_1";
        case 10: return "Q2_K";
        case 11: return "Q3_K_S";
        case 12: return "Q3_K_M";
        case 13: return "Q3_K_L";
        case 14: return "Q4_K_S";
        case 15: return "Q4_K_M";
        case 16: return "Q5_K_S";
        case 17: return "Q5_K_M";
        case 18: return "Q6_K";
        case 32: return "BF16";
        default: return {};
    }
}

}  // namespace

std::string quantization_name(const GgufFile& file) {
    if (const auto file_type = file.find_int("general.file_type")) {
        std::string named = file_type_name(*file_type);
        if (!named.empty()) return named;
    }
    std::map<std::string, uint64_t> bytes_by_type;
    for (const auto& tensor : file.tensors())
        if (tensor.shape.size() == 2) bytes_by_type[std::string(dtype_info(tensor.type).name)] += tensor.nbytes;
    const auto most = std::max_element(bytes_by_type.begin(), bytes_by_type.end(),
                                       [](const auto& a, const auto& b) { return a.second < b.second; });
    return most == bytes_by_type.end() ? std::string("?") : most->first;
}

}  // namespace hearth::gguf
