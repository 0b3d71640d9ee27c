#pragma once
// The desktop app's settings, kept between runs in the history database's settings table under
// "desktop.*" keys. Unknown, missing or malformed values fall back to defaults, so an old or
// hand-edited database never stops the app from starting.
#include <cstdint>
#include <map>
#include <string>

#include "core/sample/sampling_params.h"

namespace hearth {
class HistoryStore;
}

namespace hearth::ui {

struct GenerationSettings {
    std::string preset = "Balanced";  // a sampling preset name or "Custom"
    SamplingParams sampling;          // what the preset (or the user) chose
    int32_t max_tokens = 1024;
};

struct AppSettings {
    GenerationSettings generation;
    std::string system_prompt = "You are a helpful assistant.";  // for new conversations
    std::string last_model;  // path of the model loaded last, "" when none
    int32_t n_threads = 0;   // 0: all hardware threads but one (the window keeps a core)
    std::string backend = "cpu";  // "cpu" or "vulkan" (parse_backend_kind)
};

AppSettings default_app_settings();

// The settings as "desktop.*" key/value pairs, and back (missing or bad values: defaults).
std::map<std::string, std::string> to_key_values(const AppSettings& settings);
AppSettings from_key_values(const std::map<std::string, std::string>& values);

AppSettings load_app_settings(const HistoryStore& store);
// Writes only the keys whose value differs from `previous` (what was last loaded or saved).
void save_app_settings(HistoryStore& store, const AppSettings& settings, const AppSettings& previous);

}  // namespace hearth::ui
