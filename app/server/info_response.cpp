// Bodies that describe the server rather than a generation: model lists, version, tokens.
#include <chrono>

#include "app/server/api_response.h"

namespace hearth::server {

nlohmann::json openai_models(std::span<const ModelInfo> models) {
    nlohmann::json data = nlohmann::json::array();
    for (const ModelInfo& model : models) {
        const auto created = std::chrono::duration_cast<std::chrono::seconds>(model.modified.time_since_epoch());
        data.push_back({{"id", model.name}, {"object", "model"}, {"created", created.count()}, {"owned_by", "hearth"}});
    }
    return {{"object", "list"}, {"data", std::move(data)}};
}

nlohmann::json ollama_tags(std::span<const ModelInfo> models) {
    nlohmann::json list = nlohmann::json::array();
    for (const ModelInfo& model : models) {
        const nlohmann::json families = model.family.empty() ? nlohmann::json::array()
                                                             : nlohmann::json::array({model.family});
        list.push_back({{"name", model.name},
                        {"model", model.name},
                        {"modified_at", rfc3339_utc(model.modified)},
                        {"size", model.size_bytes},
                        {"digest", model.digest},
                        {"details",
                         {{"parent_model", ""},
                          {"format", "gguf"},
                          {"family", model.family},
                          {"families", families},
                          {"parameter_size", model.parameter_size},
                          {"quantization_level", model.quantization_level}}}});
    }
    return {{"models", std::move(list)}};
}

nlohmann::json ollama_version(std::string_view version) { return {{"version", version}}; }

nlohmann::json tokenize_response(std::span<const int32_t> tokens) {
    return {{"tokens", std::vector<int32_t>(tokens.begin(), tokens.end())}};
}

nlohmann::json detokenize_response(std::string_view content) { return {{"content", content}}; }

}  // namespace hearth::server
