#include <doctest/doctest.h>

#include <filesystem>
#include <unistd.h>

#include "app/history/history_store.h"
#include "ui/app_settings.h"
#include "ui/sampling_presets.h"

using namespace hearth;
using namespace hearth::ui;

namespace {

std::filesystem::path temp_db(const char* name) {
    const auto path = std::filesystem::temp_directory_path() / (std::string("hearth-ui-") + name + "-" + std::to_string(getpid()) + ".db");
    std::filesystem::remove(path);
    return path;
}

void remove_db(const std::filesystem::path& path) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

}  // namespace

TEST_CASE("settings survive a round trip through key/value text") {
    AppSettings settings = default_app_settings();
    settings.generation.preset = "Custom";
    settings.generation.sampling.temperature = 0.25f;
    settings.generation.sampling.top_k = 17;
    settings.generation.sampling.seed = 1234;
    settings.generation.max_tokens = 77;
    settings.system_prompt = "Be brief.\nAnswer in French.";
    settings.last_model = "/models/a b.gguf";
    settings.n_threads = 3;
    const AppSettings back = from_key_values(to_key_values(settings));
    CHECK(to_key_values(back) == to_key_values(settings));
    CHECK(back.generation.sampling.temperature == 0.25f);
    CHECK(back.generation.sampling.seed == 1234);
    CHECK(back.system_prompt == settings.system_prompt);
}

TEST_CASE("missing or malformed values fall back to the defaults") {
    const AppSettings defaults = default_app_settings();
    const AppSettings read = from_key_values({
        {"desktop.temperature", "hot"},
        {"desktop.max_tokens", "-5"},
        {"desktop.threads", "99999"},
        {"desktop.top_p", "7"},  // out of range: the sampling values stay as they were
        {"desktop.last_model", "/x.gguf"},
    });
    CHECK(read.generation.sampling.temperature == defaults.generation.sampling.temperature);
    CHECK(read.generation.sampling.top_p == defaults.generation.sampling.top_p);
    CHECK(read.generation.max_tokens == defaults.generation.max_tokens);
    CHECK(read.n_threads == 0);
    CHECK(read.last_model == "/x.gguf");
    CHECK(from_key_values({{"desktop.seed", "random"}}).generation.sampling.seed == kRandomSeed);
}

TEST_CASE("the defaults use the Balanced preset's values") {
    const AppSettings defaults = default_app_settings();
    const auto balanced = find_sampling_preset("Balanced");
    REQUIRE(balanced.has_value());
    CHECK(defaults.generation.preset == "Balanced");
    CHECK(defaults.generation.sampling.temperature == balanced->params.temperature);
    CHECK(find_sampling_preset("Precise")->params.greedy());
    CHECK_FALSE(find_sampling_preset(kCustomPreset).has_value());
    for (const auto& preset : sampling_presets()) CHECK_NOTHROW(preset.params.validate());
}

TEST_CASE("settings are kept in the history database, and only changed keys are written") {
    const auto path = temp_db("settings");
    {
        HistoryStore store = HistoryStore::open(path);
        const AppSettings loaded = load_app_settings(store);
        CHECK(to_key_values(loaded) == to_key_values(default_app_settings()));
        AppSettings changed = loaded;
        changed.generation.max_tokens = 99;
        changed.last_model = "/m.gguf";
        save_app_settings(store, changed, loaded);
        CHECK(store.get_setting("desktop.max_tokens") == "99");
        CHECK_FALSE(store.get_setting("desktop.temperature").has_value());
    }
    HistoryStore reopened = HistoryStore::open(path);
    const AppSettings again = load_app_settings(reopened);
    CHECK(again.generation.max_tokens == 99);
    CHECK(again.last_model == "/m.gguf");
    remove_db(path);
}
