#pragma once
// The backend and device chooser. It shows what the engine really runs on (the backend's own
// device description) and lists the other backends as not available in this build: the model
// loader only creates the CPU backend today, and nothing falls back silently.
#include <optional>
#include <string>
#include <vector>

#include "ui/model_runtime.h"

namespace hearth::ui {

struct BackendPanelContext {
    const ModelRuntime* runtime;  // null when no model is loaded
    int threads_setting = 0;      // 0: automatic
    int automatic_threads = 1;    // what "automatic" means on this machine
    float display_scale = 1.0f;
    const std::vector<std::string>& missing_fonts;
};

struct BackendPanelRequests {
    std::optional<int> threads;  // the thread setting changed
    bool reload = false;         // reload the model with the current settings
};

BackendPanelRequests draw_backend_panel(const BackendPanelContext& context);

}  // namespace hearth::ui
