#pragma once
// The backend and device chooser. It offers the backends this build has (CPU; Vulkan when built),
// shows what the engine really runs on (the backend's own device description), and names the
// ones it lacks. A backend that cannot run fails the load with the reason: no silent fallback.
#include <optional>
#include <string>
#include <vector>

#include "ui/model_runtime.h"

namespace hearth::ui {

struct BackendPanelContext {
    const ModelRuntime* runtime;  // null when no model is loaded
    int threads_setting = 0;      // 0: automatic
    const std::string& backend_setting;  // "cpu" or "vulkan": what the next load uses
    int automatic_threads = 1;    // what "automatic" means on this machine
    float display_scale = 1.0f;
    const std::vector<std::string>& missing_fonts;
};

struct BackendPanelRequests {
    std::optional<int> threads;  // the thread setting changed
    std::optional<std::string> backend;  // the backend setting changed (applies at the next load)
    bool reload = false;         // reload the model with the current settings
};

BackendPanelRequests draw_backend_panel(const BackendPanelContext& context);

}  // namespace hearth::ui
