#pragma once
// A loaded model and the engine serving it. The engine is declared last so it is destroyed
// first: its thread stops before the model it runs goes away.
#include <memory>
#include <string>

#include "core/engine/engine.h"
#include "core/engine/loaded_model.h"
#include "ui/model_info.h"

namespace hearth::ui {

struct ModelRuntime {
    ModelInfo info;
    LoadedModel::Facts facts;
    std::string backend_name;        // backend().name(), e.g. "cpu"
    std::string device_description;  // what the backend reports about the device it really uses
    int n_threads = 0;
    std::unique_ptr<LoadedModel> model;
    std::unique_ptr<Engine> engine;
};

}  // namespace hearth::ui
