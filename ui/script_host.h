#pragma once
// What the scripted test mode may ask of the app it drives.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "ui/frame_stats.h"
#include "ui/ui_targets.h"

namespace hearth::ui {

struct HostState {
    bool model_ready = false;
    std::string model_error;  // when loading failed
    bool generating = false;
    size_t stored_messages = 0;           // in the open conversation
    std::vector<std::string> answers;     // every answer finished in this run, in order
    std::vector<std::string> errors;      // messages shown in the error banner
    size_t errors_total = 0;
};

class ScriptHost {
public:
    virtual HostState host_state() const = 0;
    // Throws Error(bad_request) for an unknown key or a bad value.
    virtual void apply_setting(const std::string& key, const std::string& value) = 0;
    virtual std::optional<TargetRect> find_target(const std::string& name) const = 0;
    // The frames drawn while an answer was being generated.
    virtual FrameTimeSummary generating_frame_times() const = 0;

protected:
    ~ScriptHost() = default;
};

}  // namespace hearth::ui
