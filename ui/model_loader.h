#pragma once
// Loads a model and starts its engine on a worker thread, so the window keeps drawing. The
// file is first read through once in chunks (warming the page cache that the mapping then
// uses), which gives a real progress fraction; building the model and the engine follow.
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/engine/loaded_model.h"
#include "ui/model_runtime.h"

namespace hearth::ui {

enum class LoadStage { idle, reading, building, starting_engine, done, failed };
const char* to_string(LoadStage stage);

struct LoadProgress {
    LoadStage stage = LoadStage::idle;
    std::string path;
    double fraction = 0.0;  // of the reading stage, 0..1
    double seconds = 0.0;   // since the load started
    std::string error;      // when failed: the message to show
};

struct LoadRequest {
    std::string path;
    int n_threads = 1;
    BackendKind backend = BackendKind::cpu;  // a backend that cannot run fails the load with why
};

class ModelLoader {
public:
    ModelLoader() = default;
    ~ModelLoader();  // abandons a load in progress (stops at the next chunk or stage) and joins
    ModelLoader(const ModelLoader&) = delete;
    ModelLoader& operator=(const ModelLoader&) = delete;

    // Starts loading; a load still running is abandoned first.
    void start(const LoadRequest& request);
    bool busy() const;
    LoadProgress progress() const;
    // The loaded model once stage is done (then the loader is idle again); else nothing.
    std::unique_ptr<ModelRuntime> take_result();
    // The failure message, once per failed load (progress() keeps showing it).
    std::optional<std::string> take_error();

private:
    void run(const LoadRequest& request);
    void set_stage(LoadStage stage, double fraction);
    void read_through(const std::string& path);
    void stop_worker();

    mutable std::mutex mutex_;  // guards progress_, result_ and started_
    LoadProgress progress_;
    std::unique_ptr<ModelRuntime> result_;
    bool error_taken_ = false;
    std::chrono::steady_clock::time_point started_;
    std::atomic<bool> abandon_{false};
    std::thread worker_;
};

}  // namespace hearth::ui
