#pragma once
// The command line of hearth-desktop.
#include <filesystem>
#include <optional>
#include <span>
#include <string>

namespace hearth::ui {

struct DesktopOptions {
    std::filesystem::path history;       // the history database
    std::optional<std::string> model;    // else the last one used, else the default SmolLM2
    std::filesystem::path model_folder;  // where the picker looks for .gguf files
    std::optional<int> threads;          // overrides the saved setting for this run
    std::optional<float> scale;          // overrides the monitor's content scale
    int width = 1280;
    int height = 800;
    std::optional<std::filesystem::path> test_script;
    std::filesystem::path test_report;     // key=value result of the test script
    std::filesystem::path screenshot_dir;  // where the test script's screenshots go
    bool help = false;
};

// ~/.local/share/hearth/history.db ($XDG_DATA_HOME/hearth/history.db when that is set).
std::filesystem::path default_history_path();

// Throws Error(bad_request) naming the bad or unknown argument.
DesktopOptions parse_desktop_options(std::span<const char* const> args);
const char* desktop_usage();

}  // namespace hearth::ui
