#pragma once
// The messages the window shows in its error banner: every failure the app catches ends up here
// instead of ending the program.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace hearth::ui {

class ErrorLog {
public:
    void add(std::string message);
    void dismiss(size_t index);
    const std::vector<std::string>& messages() const { return messages_; }
    // How many were ever added (the test mode fails on any new one).
    size_t total() const { return total_; }

private:
    std::vector<std::string> messages_;
    size_t total_ = 0;
};

// Runs an action; a hearth::Error, bad_alloc or other exception becomes "<what>: <message>" in
// the log. Returns whether the action completed.
bool run_guarded(ErrorLog& log, const std::string& what, const std::function<void()>& action);

}  // namespace hearth::ui
