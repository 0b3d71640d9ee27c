#include "ui/app_settings.h"

#include <charconv>
#include <optional>
#include <string_view>

#include "app/history/history_store.h"
#include "core/error.h"
#include "ui/parse_number.h"
#include "ui/sampling_presets.h"

namespace hearth::ui {
namespace {

constexpr int32_t kMaxTokensLimit = 1 << 20;
constexpr int32_t kMaxThreads = 1024;
constexpr std::string_view kRandomSeedText = "random";

template <typename T>
std::string number_text(T value) {
    char buffer[64];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
    return ec == std::errc() ? std::string(buffer, end) : std::string();
}

template <typename T>
void read_into(const std::map<std::string, std::string>& values, const std::string& key, T& field) {
    const auto it = values.find(key);
    if (it == values.end()) return;
    if (const auto value = parse_number<T>(it->second)) field = *value;
}

void read_text(const std::map<std::string, std::string>& values, const std::string& key, std::string& field) {
    if (const auto it = values.find(key); it != values.end()) field = it->second;
}

SamplingParams read_sampling(const std::map<std::string, std::string>& values, const SamplingParams& fallback) {
    SamplingParams p = fallback;
    read_into(values, "desktop.temperature", p.temperature);
    read_into(values, "desktop.top_k", p.top_k);
    read_into(values, "desktop.top_p", p.top_p);
    read_into(values, "desktop.min_p", p.min_p);
    read_into(values, "desktop.repeat_penalty", p.repeat_penalty);
    if (const auto it = values.find("desktop.seed"); it != values.end() && it->second != kRandomSeedText)
        read_into(values, "desktop.seed", p.seed);
    try {
        p.validate();
    } catch (const Error&) {
        return fallback;  // a hand-edited value out of range: keep the defaults rather than fail
    }
    return p;
}

}  // namespace

AppSettings default_app_settings() {
    AppSettings settings;
    if (const auto preset = find_sampling_preset(settings.generation.preset)) settings.generation.sampling = preset->params;
    return settings;
}

std::map<std::string, std::string> to_key_values(const AppSettings& settings) {
    const GenerationSettings& g = settings.generation;
    return {
        {"desktop.preset", g.preset},
        {"desktop.temperature", number_text(g.sampling.temperature)},
        {"desktop.top_k", number_text(g.sampling.top_k)},
        {"desktop.top_p", number_text(g.sampling.top_p)},
        {"desktop.min_p", number_text(g.sampling.min_p)},
        {"desktop.repeat_penalty", number_text(g.sampling.repeat_penalty)},
        {"desktop.seed", g.sampling.seed == kRandomSeed ? std::string(kRandomSeedText) : number_text(g.sampling.seed)},
        {"desktop.max_tokens", number_text(g.max_tokens)},
        {"desktop.system_prompt", settings.system_prompt},
        {"desktop.last_model", settings.last_model},
        {"desktop.threads", number_text(settings.n_threads)},
        {"desktop.backend", settings.backend},
    };
}

AppSettings from_key_values(const std::map<std::string, std::string>& values) {
    AppSettings settings = default_app_settings();
    read_text(values, "desktop.preset", settings.generation.preset);
    settings.generation.sampling = read_sampling(values, settings.generation.sampling);
    read_into(values, "desktop.max_tokens", settings.generation.max_tokens);
    if (settings.generation.max_tokens < 1 || settings.generation.max_tokens > kMaxTokensLimit)
        settings.generation.max_tokens = default_app_settings().generation.max_tokens;
    read_text(values, "desktop.system_prompt", settings.system_prompt);
    read_text(values, "desktop.last_model", settings.last_model);
    read_into(values, "desktop.threads", settings.n_threads);
    if (settings.n_threads < 0 || settings.n_threads > kMaxThreads) settings.n_threads = 0;
    read_text(values, "desktop.backend", settings.backend);
    if (settings.backend != "cpu" && settings.backend != "vulkan") settings.backend = "cpu";
    return settings;
}

AppSettings load_app_settings(const HistoryStore& store) {
    std::map<std::string, std::string> values;
    for (const auto& [key, unused] : to_key_values(default_app_settings()))
        if (auto value = store.get_setting(key)) values[key] = std::move(*value);
    return from_key_values(values);
}

void save_app_settings(HistoryStore& store, const AppSettings& settings, const AppSettings& previous) {
    const auto old_values = to_key_values(previous);
    for (const auto& [key, value] : to_key_values(settings))
        if (old_values.at(key) != value) store.set_setting(key, value);
}

}  // namespace hearth::ui
