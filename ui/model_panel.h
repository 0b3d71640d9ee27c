#pragma once
// The model picker: what is loaded, the load in progress, the GGUF files in the model folder
// (size, architecture, quant type and context length from their metadata) and a path to open.
#include <filesystem>
#include <future>
#include <optional>
#include <string>
#include <vector>

#include "ui/model_info.h"
#include "ui/model_loader.h"
#include "ui/model_runtime.h"
#include "ui/ui_targets.h"

namespace hearth::ui {

struct ModelPanelState {
    std::filesystem::path folder;
    std::future<std::vector<ModelFolderEntry>> scanning;  // the folder is read off the window's thread
    std::vector<ModelFolderEntry> entries;
    bool scan_wanted = true;
    std::string open_path;
};

struct ModelPanelContext {
    const ModelRuntime* runtime;  // null when none is loaded
    const LoadProgress& progress;
    bool locked = false;  // an answer is being written: loading waits
    UiTargets& targets;
};

// Returns the path of a model to load when one was picked or opened.
std::optional<std::string> draw_model_panel(ModelPanelState& state, const ModelPanelContext& context);

}  // namespace hearth::ui
