#pragma once
// Loading the committed goldens under tests/data/chat.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/chat/chat_template.h"
#include "tests/test_paths.h"

namespace hearth::test {

inline std::filesystem::path chat_data() { return test_data() / "chat"; }

inline std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path.string());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline nlohmann::ordered_json read_json(const std::filesystem::path& path) {
    return nlohmann::ordered_json::parse(read_text(path));
}

inline std::vector<ChatMessage> messages_of(const nlohmann::ordered_json& list) {
    std::vector<ChatMessage> out;
    for (const auto& m : list) out.push_back({m.at("role").get<std::string>(), m.at("content").get<std::string>()});
    return out;
}

}  // namespace hearth::test
