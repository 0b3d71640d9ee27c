#include "ui/model_loader.h"

#include <fstream>
#include <new>
#include <vector>

#include "core/error.h"

namespace hearth::ui {
namespace {

constexpr size_t kReadChunkBytes = 8u << 20;

// The desktop app serves one conversation at a time.
EngineOptions desktop_engine_options() {
    EngineOptions options;
    options.scheduler.n_ctx = 0;  // the model's training context, at most 4096
    options.scheduler.max_sequences = 1;
    return options;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

bool in_progress(LoadStage stage) {
    return stage == LoadStage::reading || stage == LoadStage::building || stage == LoadStage::starting_engine;
}

// Abandoning a load is not an error worth showing; it unwinds the worker through this.
struct LoadAbandoned {};

}  // namespace

const char* to_string(LoadStage stage) {
    switch (stage) {
        case LoadStage::idle: return "idle";
        case LoadStage::reading: return "reading the file";
        case LoadStage::building: return "building the model";
        case LoadStage::starting_engine: return "starting the engine";
        case LoadStage::done: return "loaded";
        case LoadStage::failed: return "failed";
    }
    return "?";
}

ModelLoader::~ModelLoader() { stop_worker(); }

void ModelLoader::stop_worker() {
    abandon_ = true;
    if (worker_.joinable()) worker_.join();
    abandon_ = false;
}

void ModelLoader::start(const LoadRequest& request) {
    stop_worker();
    {
        const std::lock_guard lock(mutex_);
        progress_ = LoadProgress{LoadStage::reading, request.path, 0.0, 0.0, {}};
        result_.reset();
        error_taken_ = false;
        started_ = std::chrono::steady_clock::now();
    }
    worker_ = std::thread([this, request] { run(request); });
}

bool ModelLoader::busy() const {
    const std::lock_guard lock(mutex_);
    return in_progress(progress_.stage);
}

LoadProgress ModelLoader::progress() const {
    const std::lock_guard lock(mutex_);
    LoadProgress copy = progress_;
    if (in_progress(copy.stage)) copy.seconds = seconds_since(started_);
    return copy;
}

std::unique_ptr<ModelRuntime> ModelLoader::take_result() {
    const std::lock_guard lock(mutex_);
    if (progress_.stage != LoadStage::done) return nullptr;
    progress_.stage = LoadStage::idle;
    return std::move(result_);
}

std::optional<std::string> ModelLoader::take_error() {
    const std::lock_guard lock(mutex_);
    if (progress_.stage != LoadStage::failed || error_taken_) return std::nullopt;
    error_taken_ = true;
    return progress_.error;
}

void ModelLoader::set_stage(LoadStage stage, double fraction) {
    if (abandon_) throw LoadAbandoned{};
    const std::lock_guard lock(mutex_);
    progress_.stage = stage;
    progress_.fraction = fraction;
}

void ModelLoader::read_through(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    require(file.good(), ErrorKind::io, path + ": cannot open the file");
    file.seekg(0, std::ios::end);
    const double total = static_cast<double>(file.tellg());
    file.seekg(0);
    std::vector<char> chunk(kReadChunkBytes);
    double done = 0.0;
    while (file.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || file.gcount() > 0) {
        done += static_cast<double>(file.gcount());
        set_stage(LoadStage::reading, total > 0.0 ? done / total : 1.0);
    }
}

void ModelLoader::run(const LoadRequest& request) {
    std::string error;
    try {
        read_through(request.path);
        set_stage(LoadStage::building, 1.0);
        auto runtime = std::make_unique<ModelRuntime>();
        runtime->info = read_model_info(request.path);
        runtime->model = LoadedModel::load(request.path, LoadOptions{request.n_threads, request.backend});
        runtime->facts = runtime->model->facts();
        runtime->backend_name = std::string(runtime->model->backend().name());
        runtime->device_description = runtime->model->backend().device_description();
        runtime->n_threads = request.n_threads;
        set_stage(LoadStage::starting_engine, 1.0);
        runtime->engine = std::make_unique<Engine>(runtime->model->model(), runtime->model->tokenizer(), desktop_engine_options());
        if (abandon_) throw LoadAbandoned{};
        const std::lock_guard lock(mutex_);
        result_ = std::move(runtime);
        progress_.stage = LoadStage::done;
        progress_.seconds = seconds_since(started_);
        return;
    } catch (const LoadAbandoned&) {
        const std::lock_guard lock(mutex_);
        progress_.stage = LoadStage::idle;
        return;
    } catch (const Error& e) {
        error = e.what();
    } catch (const std::bad_alloc&) {
        error = "out of memory while loading the model";
    } catch (const std::exception& e) {
        error = e.what();
    }
    const std::lock_guard lock(mutex_);
    progress_.stage = LoadStage::failed;
    progress_.seconds = seconds_since(started_);
    progress_.error = error;
}

}  // namespace hearth::ui
