#include <array>
#include <string_view>

#include "core/error.h"
#include "models/families.h"

namespace hearth {
namespace {

struct Family {
    std::string_view architecture;
    std::unique_ptr<Model> (*load)(const gguf::GgufFile&, Backend&);
};

constexpr std::array<Family, 3> kFamilies{{
    {"llama", load_llama},
    {"qwen2", load_qwen2},
    {"gemma3", load_gemma3},
}};

}  // namespace

std::string supported_architectures() {
    std::string names;
    for (const auto& family : kFamilies) names += (names.empty() ? "" : ", ") + std::string(family.architecture);
    return names;
}

std::unique_ptr<Model> load_model(const gguf::GgufFile& file, Backend& backend) {
    const std::string_view arch = file.get_string("general.architecture");
    for (const auto& family : kFamilies)
        if (family.architecture == arch) return family.load(file, backend);
    throw Error(ErrorKind::unsupported, "model architecture '" + std::string(arch) +
                                            "' is not supported; supported: " + supported_architectures());
}

}  // namespace hearth
