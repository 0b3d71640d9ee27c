#include "ui/script_runner.h"

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>

#include <cstdio>
#include <fstream>

#include "core/error.h"
#include "ui/gl_window.h"
#include "ui/png_writer.h"

namespace hearth::ui {
namespace {

constexpr double kTargetGraceSeconds = 2.0;  // a widget may appear a few frames late

int glfw_key(const KeyChord& chord) {
    if (chord.key == "Enter") return GLFW_KEY_ENTER;
    if (chord.key == "Escape") return GLFW_KEY_ESCAPE;
    return GLFW_KEY_A + (chord.key[0] - 'A');
}

// One line per value in the report: backslashes and newlines escaped.
std::string escaped(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace

ScriptRunner::ScriptRunner(std::vector<ScriptStep> steps, ScriptRunnerOptions options)
    : steps_(std::move(steps)), options_(std::move(options)) {}

void ScriptRunner::release_input() {
    ImGuiIO& io = ImGui::GetIO();
    mouse_down_ = false;
    if (key_down_) {
        io.KeysDown[glfw_key(*key_down_)] = false;
        io.KeyCtrl = false;
        io.KeyShift = false;
        key_down_.reset();
    }
}

void ScriptRunner::before_new_frame(ScriptHost& host) {
    ImGuiIO& io = ImGui::GetIO();
    // Input pressed last frame is released now, and no new step starts on a release frame, so
    // ImGui sees every press and every release.
    const bool releasing = mouse_down_ || key_down_.has_value();
    release_input();
    if (mouse_) io.MousePos = ImVec2(mouse_->first, mouse_->second);  // overrides the real pointer
    io.MouseDown[0] = mouse_down_;
    if (status_ != ScriptStatus::running || releasing) return;

    const HostState state = host.host_state();
    const bool expecting_error = next_ < steps_.size() && steps_[next_].kind == StepKind::expect_error;
    if (state.errors_total > errors_seen_ && !expecting_error) {
        fail("the app showed an error: " + (state.errors.empty() ? std::string("?") : state.errors.back()));
        return;
    }
    if (next_ >= steps_.size()) {
        status_ = ScriptStatus::passed;
        return;
    }
    const ScriptStep& step = steps_[next_];
    if (!step_started_) {
        step_started_ = true;
        step_start_ = Clock::now();
        answers_at_step_start_ = state.answers.size();
        frames_left_ = static_cast<size_t>(step.count);
    }
    try {
        if (!run_step(host, step, state)) return;
    } catch (const Error& e) {
        fail("line " + std::to_string(step.line) + ": " + e.what());
        return;
    }
    ++next_;
    step_started_ = false;
}

bool ScriptRunner::run_step(ScriptHost& host, const ScriptStep& step, const HostState& state) {
    switch (step.kind) {
        case StepKind::wait_model:
            if (!state.model_error.empty()) {
                fail("the model did not load: " + state.model_error);
                return false;
            }
            return state.model_ready || keep_waiting(step, "a loaded model");
        case StepKind::set:
            host.apply_setting(step.name, step.text);
            return true;
        case StepKind::click:
            if (!host.find_target(step.name)) return keep_waiting(step, ("the widget '" + step.name + "'").c_str());
            click(step, host);
            return true;
        case StepKind::type:
            ImGui::GetIO().AddInputCharactersUTF8(step.text.c_str());
            return true;
        case StepKind::key:
            press(step.chord);
            return true;
        case StepKind::wait_generating:
            return state.generating || state.answers.size() > answers_at_step_start_ || keep_waiting(step, "an answer to start");
        case StepKind::wait_idle:
            return !state.generating || keep_waiting(step, "the answer to finish");
        case StepKind::frames:
            if (frames_left_ == 0) return true;
            --frames_left_;
            return false;
        case StepKind::screenshot:
            screenshot_due_ = step.name;
            return true;
        case StepKind::expect_messages:
            if (state.stored_messages != static_cast<size_t>(step.count))
                fail("line " + std::to_string(step.line) + ": expected " + std::to_string(step.count) +
                     " stored messages, the conversation has " + std::to_string(state.stored_messages));
            return true;
        case StepKind::expect_error:
            for (const std::string& error : state.errors) {
                if (error.find(step.text) == std::string::npos) continue;
                errors_seen_ = state.errors_total;
                return true;
            }
            return keep_waiting(step, ("an error saying '" + step.text + "'").c_str());
        case StepKind::quit:
            status_ = ScriptStatus::passed;
            return true;
    }
    return true;
}

bool ScriptRunner::keep_waiting(const ScriptStep& step, const char* what) {
    const double limit = step.kind == StepKind::click ? kTargetGraceSeconds : step.seconds;
    if (std::chrono::duration<double>(Clock::now() - step_start_).count() > limit)
        fail("line " + std::to_string(step.line) + ": waited " + std::to_string(limit) + " s for " + what);
    return false;
}

void ScriptRunner::click(const ScriptStep& step, const ScriptHost& host) {
    const TargetRect rect = *host.find_target(step.name);
    mouse_ = std::make_pair((rect.x0 + rect.x1) / 2.0f, (rect.y0 + rect.y1) / 2.0f);
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = ImVec2(mouse_->first, mouse_->second);
    mouse_down_ = true;
    io.MouseDown[0] = true;
}

void ScriptRunner::press(const KeyChord& chord) {
    ImGuiIO& io = ImGui::GetIO();
    io.KeysDown[glfw_key(chord)] = true;
    io.KeyCtrl = chord.ctrl;
    io.KeyShift = chord.shift;
    key_down_ = chord;
}

void ScriptRunner::fail(const std::string& why) {
    if (status_ != ScriptStatus::running) return;
    status_ = ScriptStatus::failed;
    failure_ = why;
}

void ScriptRunner::after_render(const GlWindow& window) {
    if (screenshot_due_.empty()) return;
    const std::filesystem::path path = options_.screenshot_dir / screenshot_due_;
    screenshot_due_.clear();
    try {
        write_png(path, window.read_pixels());
        std::fprintf(stderr, "screenshot: %s\n", path.c_str());
    } catch (const Error& e) {
        fail(e.what());
    }
}

void ScriptRunner::finish(const ScriptHost& host) const {
    const FrameTimeSummary frames = host.generating_frame_times();
    const HostState state = host.host_state();
    const bool passed = status_ == ScriptStatus::passed;
    std::fprintf(stderr, "test script %s%s%s\nframes while generating: %zu, median %.2f ms, p95 %.2f ms, max %.2f ms\n",
                 passed ? "passed" : "FAILED", passed ? "" : ": ", failure_.c_str(), frames.frames, frames.median_ms,
                 frames.p95_ms, frames.max_ms);
    if (options_.report_path.empty()) return;
    std::ofstream report(options_.report_path, std::ios::trunc);
    report << "result=" << (passed ? "passed" : "failed") << "\n"
           << "failure=" << escaped(failure_) << "\n"
           << "frames_while_generating=" << frames.frames << "\n"
           << "median_frame_ms=" << frames.median_ms << "\n"
           << "p95_frame_ms=" << frames.p95_ms << "\n"
           << "max_frame_ms=" << frames.max_ms << "\n"
           << "answers=" << state.answers.size() << "\n"
           << "errors=" << state.errors.size() << "\n";
    for (size_t i = 0; i < state.errors.size(); ++i) report << "error_" << i + 1 << "=" << escaped(state.errors[i]) << "\n";
    for (size_t i = 0; i < state.answers.size(); ++i) report << "answer_" << i + 1 << "=" << escaped(state.answers[i]) << "\n";
}

}  // namespace hearth::ui
