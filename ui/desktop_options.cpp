#include "ui/desktop_options.h"

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <string_view>

#include "core/error.h"
#include "ui/model_info.h"
#include "ui/parse_number.h"

namespace hearth::ui {
namespace {

constexpr int kMaxThreads = 1024;
constexpr int kMaxWindowSide = 16384;

template <typename T>
T number_value(std::string_view flag, std::string_view text) {
    const auto value = parse_number<T>(text);
    require(value.has_value(), ErrorKind::bad_request, std::string(flag) + ": '" + std::string(text) + "' is not a number");
    return *value;
}

int parse_in_range(std::string_view flag, std::string_view text, int low, int high) {
    const int value = number_value<int>(flag, text);
    require(value >= low && value <= high, ErrorKind::bad_request,
            std::string(flag) + " must be between " + std::to_string(low) + " and " + std::to_string(high));
    return value;
}

void set_size(DesktopOptions& o, std::string_view flag, std::string_view value) {
    const size_t x = value.find('x');
    require(x != std::string_view::npos, ErrorKind::bad_request, "--size takes WIDTHxHEIGHT, e.g. 1280x800");
    o.width = parse_in_range(flag, value.substr(0, x), 320, kMaxWindowSide);
    o.height = parse_in_range(flag, value.substr(x + 1), 240, kMaxWindowSide);
}

void set_scale(DesktopOptions& o, std::string_view flag, std::string_view value) {
    const float scale = number_value<float>(flag, value);
    require(scale >= 0.5f && scale <= 4.0f, ErrorKind::bad_request, "--scale must be between 0.5 and 4");
    o.scale = scale;
}

// Every option that takes a value, and what it sets.
struct ValueFlag {
    std::string_view short_name;  // "" when none
    std::string_view long_name;
    void (*set)(DesktopOptions&, std::string_view flag, std::string_view value);
};

constexpr ValueFlag kValueFlags[] = {
    {"-m", "--model", [](DesktopOptions& o, std::string_view, std::string_view v) { o.model = std::string(v); }},
    {"", "--history", [](DesktopOptions& o, std::string_view, std::string_view v) { o.history = v; }},
    {"", "--models-dir", [](DesktopOptions& o, std::string_view, std::string_view v) { o.model_folder = v; }},
    {"-t", "--threads", [](DesktopOptions& o, std::string_view f, std::string_view v) { o.threads = parse_in_range(f, v, 1, kMaxThreads); }},
    {"", "--scale", set_scale},
    {"", "--size", set_size},
    {"", "--test-script", [](DesktopOptions& o, std::string_view, std::string_view v) { o.test_script = v; }},
    {"", "--test-report", [](DesktopOptions& o, std::string_view, std::string_view v) { o.test_report = v; }},
    {"", "--screenshot-dir", [](DesktopOptions& o, std::string_view, std::string_view v) { o.screenshot_dir = v; }},
};

}  // namespace

std::filesystem::path default_history_path() {
    if (const char* data = std::getenv("XDG_DATA_HOME"); data && *data) return std::filesystem::path(data) / "hearth" / "history.db";
    const char* home = std::getenv("HOME");
    return std::filesystem::path(home ? home : ".") / ".local" / "share" / "hearth" / "history.db";
}

const char* desktop_usage() {
    return "usage: hearth-desktop [options]\n"
           "  -m, --model FILE        the GGUF model to load (default: the last one used, else SmolLM2\n"
           "                          from the model folder)\n"
           "  --history FILE          the chat history database (default ~/.local/share/hearth/history.db)\n"
           "  --models-dir DIR        the model folder (default $HEARTH_MODEL_DIR or ~/.cache/hearth/models)\n"
           "  -t, --threads N         CPU threads for this run (default: the saved setting)\n"
           "  --scale F               UI scale instead of the monitor's (0.5 to 4)\n"
           "  --size WxH              window size (default 1280x800)\n"
           "  --test-script FILE      run a UI test script (see ui/test_script.h), then exit 0 or 1\n"
           "  --test-report FILE      where the test script's key=value result goes\n"
           "  --screenshot-dir DIR    where the test script's screenshots go (default .)\n"
           "  -h, --help              this text\n";
}

DesktopOptions parse_desktop_options(std::span<const char* const> args) {
    DesktopOptions options;
    options.history = default_history_path();
    options.model_folder = default_model_folder();
    options.screenshot_dir = ".";
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string_view flag = args[i];
        if (flag == "-h" || flag == "--help") {
            options.help = true;
            continue;
        }
        const auto known = std::find_if(std::begin(kValueFlags), std::end(kValueFlags),
                                        [&](const ValueFlag& f) { return flag == f.long_name || (!f.short_name.empty() && flag == f.short_name); });
        require(known != std::end(kValueFlags), ErrorKind::bad_request,
                (flag.starts_with("-") ? "unknown option '" : "unexpected argument '") + std::string(flag) + "'; see --help");
        require(i + 1 < args.size(), ErrorKind::bad_request, std::string(flag) + " needs a value; see --help");
        known->set(options, flag, args[++i]);
    }
    return options;
}

}  // namespace hearth::ui
