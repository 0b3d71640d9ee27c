#include "ui/error_log.h"

#include <new>

#include "core/error.h"

namespace hearth::ui {
namespace {

constexpr size_t kMaxShown = 8;  // older messages scroll away

}  // namespace

void ErrorLog::add(std::string message) {
    messages_.push_back(std::move(message));
    if (messages_.size() > kMaxShown) messages_.erase(messages_.begin());
    ++total_;
}

void ErrorLog::dismiss(size_t index) {
    if (index < messages_.size()) messages_.erase(messages_.begin() + static_cast<std::ptrdiff_t>(index));
}

bool run_guarded(ErrorLog& log, const std::string& what, const std::function<void()>& action) {
    try {
        action();
        return true;
    } catch (const Error& e) {
        log.add(what + ": " + e.what());
    } catch (const std::bad_alloc&) {
        log.add(what + ": out of memory");
    } catch (const std::exception& e) {
        log.add(what + ": " + e.what());
    }
    return false;
}

}  // namespace hearth::ui
