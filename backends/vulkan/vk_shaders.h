#pragma once
// The SPIR-V of every compute shader, compiled by glslc at build time (CMakeLists.txt) and
// embedded in the library; shader_table.cpp is generated.
#include <cstdint>
#include <span>
#include <string_view>

namespace hearth::vk {

struct ShaderCode {
    std::string_view name;
    std::span<const uint32_t> words;
};

std::span<const ShaderCode> shader_table();

}  // namespace hearth::vk
