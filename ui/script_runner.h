#pragma once
// Runs a test script (test_script.h) against the real window: before each ImGui::NewFrame it
// injects that frame's input (mouse position and buttons, keys, typed characters) into ImGui's
// IO, exactly where the GLFW backend puts real input, and advances the script one step at a
// time; after rendering it takes the screenshots asked for. Any error shown by the app, a
// failed expectation or a wait that times out fails the test. The result, with the frame times
// measured while generating, goes to a key=value report file.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ui/script_host.h"
#include "ui/test_script.h"

namespace hearth::ui {

class GlWindow;

struct ScriptRunnerOptions {
    std::filesystem::path screenshot_dir = ".";
    std::filesystem::path report_path;  // empty: no report file (the result still goes to stderr)
};

enum class ScriptStatus { running, passed, failed };

class ScriptRunner {
public:
    ScriptRunner(std::vector<ScriptStep> steps, ScriptRunnerOptions options);

    void before_new_frame(ScriptHost& host);
    void after_render(const GlWindow& window);
    ScriptStatus status() const { return status_; }
    // Writes the report and prints the result; call once the script ended.
    void finish(const ScriptHost& host) const;

private:
    using Clock = std::chrono::steady_clock;
    void release_input();
    bool run_step(ScriptHost& host, const ScriptStep& step, const HostState& state);  // true: step complete
    // False while the step's time lasts (the step goes on waiting); past it, fails the test.
    bool keep_waiting(const ScriptStep& step, const char* what);
    void click(const ScriptStep& step, const ScriptHost& host);
    void press(const KeyChord& chord);
    void fail(const std::string& why);

    std::vector<ScriptStep> steps_;
    ScriptRunnerOptions options_;
    size_t next_ = 0;
    bool step_started_ = false;
    Clock::time_point step_start_;
    size_t answers_at_step_start_ = 0;
    size_t frames_left_ = 0;
    size_t errors_seen_ = 0;
    std::optional<std::pair<float, float>> mouse_;  // where the test's mouse is, once it moved
    bool mouse_down_ = false;
    std::optional<KeyChord> key_down_;
    std::string screenshot_due_;
    ScriptStatus status_ = ScriptStatus::running;
    std::string failure_;
};

}  // namespace hearth::ui
