#include "ui/desktop_app.h"

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "ui/backend_panel.h"
#include "ui/parse_number.h"
#include "ui/sampling_panel.h"
#include "ui/sampling_presets.h"

namespace hearth::ui {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kDefaultModelFile = "SmolLM2-135M-Instruct.Q4_1.gguf";
constexpr double kIdleWaitSeconds = 0.5;
constexpr auto kFramePeriod = std::chrono::microseconds(16667);  // 60 frames per second while busy
constexpr int kRedrawFramesAfterInput = 3;  // ImGui settles some widgets a frame or two later
constexpr float kSidebarWidth = 230.0f;
constexpr float kPanelWidth = 380.0f;

HistoryStore open_history(const std::filesystem::path& path, ErrorLog& errors) {
    try {
        std::error_code ec;
        if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
        return HistoryStore::open(path);
    } catch (const Error& e) {
        const auto fallback = std::filesystem::temp_directory_path() / ("hearth-history-" + std::to_string(getpid()) + ".db");
        errors.add("could not open the chat history " + path.string() + ": " + e.what() + "; this session's chats go to " +
                   fallback.string());
        return HistoryStore::open(fallback);
    }
}

std::vector<ScriptStep> read_script(const std::filesystem::path& path) {
    std::ifstream file(path);
    require(file.good(), ErrorKind::io, path.string() + ": cannot read the test script");
    std::stringstream text;
    text << file.rdbuf();
    try {
        return parse_test_script(text.str());
    } catch (const Error& e) {
        throw Error(ErrorKind::bad_request, path.string() + ": " + e.what());
    }
}

std::optional<std::string> startup_model(const DesktopOptions& options, const AppSettings& settings) {
    std::error_code ec;
    if (options.model) return options.model;
    if (!settings.last_model.empty() && std::filesystem::is_regular_file(settings.last_model, ec)) return settings.last_model;
    const auto fallback = options.model_folder / kDefaultModelFile;
    if (std::filesystem::is_regular_file(fallback, ec)) return fallback.string();
    return std::nullopt;
}

int automatic_threads() { return std::max(1, default_cpu_threads() - 1); }  // a core left for the window

}  // namespace

DesktopApp::DesktopApp(DesktopOptions options)
    : options_(std::move(options)),
      automatic_threads_(automatic_threads()),
      window_(WindowOptions{options_.width, options_.height, "Hearth"}),
      base_style_(ImGui::GetStyle()),
      history_(open_history(options_.history, errors_)),
      settings_(load_app_settings(history_)),
      saved_settings_(settings_),
      chat_(history_, settings_.system_prompt) {
    if (options_.test_script)
        script_.emplace(read_script(*options_.test_script), ScriptRunnerOptions{options_.screenshot_dir, options_.test_report});
    apply_scale(options_.scale.value_or(window_.content_scale()));
    model_panel_.folder = options_.model_folder;
    if (const auto model = startup_model(options_, settings_)) start_load(*model);
}

DesktopApp::~DesktopApp() {
    chat_.stop();
    run_guarded(errors_, "saving settings", [&] { save_app_settings(history_, settings_, saved_settings_); });
}

int DesktopApp::run() {
    while (!window_.should_close()) {
        const bool busy = chat_.generating() || loader_.busy() || script_ || model_panel_.scanning.valid() || redraw_frames_ > 0;
        const Clock::time_point waited_from = Clock::now();
        window_.wait_events(busy ? 0.0 : kIdleWaitSeconds);
        const Clock::time_point start = Clock::now();
        if (!busy && start - waited_from < std::chrono::duration<double>(kIdleWaitSeconds)) redraw_frames_ = kRedrawFramesAfterInput;
        redraw_frames_ = std::max(0, redraw_frames_ - 1);
        const bool generating = chat_.generating();
        frame();
        if (generating) generating_frame_ms_.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        save_settings_when_settled();
        if (script_ && script_->status() != ScriptStatus::running) break;
        if (busy) std::this_thread::sleep_until(start + kFramePeriod);
    }
    if (!script_) return 0;
    script_->finish(*this);
    return script_->status() == ScriptStatus::passed ? 0 : 1;
}

void DesktopApp::frame() {
    if (!options_.scale && window_.content_scale() != fonts_.scale()) apply_scale(window_.content_scale());
    window_.begin_frame();
    if (script_) script_->before_new_frame(*this);
    ImGui::NewFrame();
    targets_.clear();
    update_model();
    update_chat();
    handle_shortcuts();
    draw();
    window_.render();
    if (script_) script_->after_render(window_);
    window_.swap();
}

void DesktopApp::apply_scale(float scale) {
    fonts_.load(scale);
    window_.refresh_font_texture();
    ImGui::GetStyle() = base_style_;
    ImGui::GetStyle().ScaleAllSizes(scale);
}

void DesktopApp::update_model() {
    if (auto error = loader_.take_error()) errors_.add("could not load the model: " + *error);
    if (chat_.generating()) return;  // the engine in use stays until its answer is done
    if (auto loaded = loader_.take_result()) {
        runtime_ = std::move(loaded);
        settings_.last_model = runtime_->info.path.string();
    }
}

void DesktopApp::update_chat() {
    run_guarded(errors_, "saving the answer", [&] {
        const auto outcome = chat_.update();
        if (!outcome) return;
        answers_.push_back(outcome->answer);
        tokens_at_last_sample_ = 0;  // the next answer counts from zero
        sidebar_.stale = true;
        if (outcome->error) errors_.add(*outcome->error);
        if (last_progress_ && outcome->result.generated_tokens > 0) {  // the engine's own timings are exact
            const RequestTiming& timing = outcome->result.timing;
            last_progress_->generated_tokens = outcome->result.generated_tokens;
            last_progress_->time_to_first_token_seconds = timing.time_to_first_token_seconds;
            if (outcome->result.generated_tokens > 1 && timing.decode_seconds > 0.0)
                last_progress_->tokens_per_second = (outcome->result.generated_tokens - 1) / timing.decode_seconds;
        }
    });
    const PendingTurn* pending = chat_.pending();
    if (!pending) return;
    last_progress_ = pending->generation->progress();
    const Clock::time_point now = Clock::now();
    if (!last_progress_->time_to_first_token_seconds) {
        last_rate_sample_ = now;  // the plot shows decoding; the prompt's time is the first-token figure
        return;
    }
    // The plot's samples are the speed over each short window, so slow-downs show.
    const double window = std::chrono::duration<double>(now - last_rate_sample_).count();
    if (window >= kRateSampleSeconds) {
        rates_.add(static_cast<float>((last_progress_->generated_tokens - tokens_at_last_sample_) / window));
        tokens_at_last_sample_ = last_progress_->generated_tokens;
        last_rate_sample_ = now;
    }
}

void DesktopApp::handle_shortcuts() {
    const ImGuiIO& io = ImGui::GetIO();
    if (chat_.generating() && ImGui::IsKeyPressed(GLFW_KEY_ESCAPE, false)) chat_.stop();
    if (io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_N, false) && !chat_.generating()) new_chat();
}

void DesktopApp::draw() {
    const ImGuiViewport* viewport = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(viewport->WorkPos);
    ImGui::SetNextWindowSize(viewport->WorkSize);
    // No background: the window's clear colour is the same, and a software renderer pays for
    // every pixel of a full-window quad.
    constexpr ImGuiWindowFlags kFlags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                        ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
                                        ImGuiWindowFlags_NoBackground;
    ImGui::Begin("##hearth", nullptr, kFlags);
    const float scale = fonts_.scale();
    ImGui::BeginChild("sidebar", ImVec2(kSidebarWidth * scale, 0.0f), true);
    run_guarded(errors_, "reading the conversations", [&] { refresh_sidebar(sidebar_, history_); });
    carry_out(draw_sidebar(sidebar_, SidebarContext{chat_.conversation_id(), chat_.generating(), targets_}));
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("chat", ImVec2(-(kPanelWidth * scale + ImGui::GetStyle().ItemSpacing.x), 0.0f), false);
    draw_error_banner();
    carry_out(draw_chat_view(chat_view_, ChatViewContext{chat_, fonts_, targets_, runtime_ != nullptr}));
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("panels", ImVec2(0.0f, 0.0f), true);
    draw_side_panels();
    ImGui::EndChild();
    ImGui::End();
}

void DesktopApp::draw_error_banner() {
    const auto& messages = errors_.messages();
    for (size_t i = 0; i < messages.size(); ++i) {
        ImGui::PushID(static_cast<int>(i));
        if (ImGui::SmallButton("x")) errors_.dismiss(i);
        ImGui::SameLine();
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.45f, 0.40f, 1.0f));
        ImGui::TextWrapped("%s", messages[i].c_str());
        ImGui::PopStyleColor();
        ImGui::PopID();
    }
    if (!messages.empty()) ImGui::Separator();
}

void DesktopApp::draw_side_panels() {
    if (ImGui::CollapsingHeader("Model", ImGuiTreeNodeFlags_DefaultOpen)) {
        const LoadProgress progress = loader_.progress();
        const ModelPanelContext context{runtime_.get(), progress, chat_.generating() || loader_.busy(), targets_};
        if (const auto path = draw_model_panel(model_panel_, context)) start_load(*path);
    }
    if (ImGui::CollapsingHeader("Stats", ImGuiTreeNodeFlags_DefaultOpen)) draw_stats_panel(stats_snapshot(), rates_);
    if (ImGui::CollapsingHeader("Backend & device", ImGuiTreeNodeFlags_DefaultOpen)) {
        const BackendPanelContext context{runtime_.get(), settings_.n_threads, settings_.backend, automatic_threads_,
                                          fonts_.scale(), fonts_.missing()};
        const BackendPanelRequests requests = draw_backend_panel(context);
        if (requests.threads) settings_.n_threads = *requests.threads;
        if (requests.backend) settings_.backend = *requests.backend;
        if (requests.reload && runtime_ && !chat_.generating()) start_load(runtime_->info.path.string());
    }
    if (ImGui::CollapsingHeader("Sampling", ImGuiTreeNodeFlags_DefaultOpen)) {
        draw_sampling_panel(settings_);
        chat_.set_default_system_prompt(settings_.system_prompt);
    }
}

void DesktopApp::carry_out(const ChatViewRequests& requests) {
    if (requests.stop) chat_.stop();
    if (requests.send) {
        const bool sent = run_guarded(errors_, "sending", [&] { chat_.send(loaded_runtime(), *requests.send, settings_.generation); });
        if (sent) clear_draft(chat_view_);
    }
    if (requests.regenerate)
        run_guarded(errors_, "regenerating", [&] { chat_.regenerate(loaded_runtime(), settings_.generation); });
    if (requests.resend) {
        run_guarded(errors_, "sending the edited message", [&] {
            chat_.edit_and_resend(loaded_runtime(), requests.resend->first, requests.resend->second, settings_.generation);
        });
    }
    if (requests.system_prompt)
        run_guarded(errors_, "saving the system prompt", [&] { chat_.set_system_prompt(*requests.system_prompt); });
    if (requests.send || requests.regenerate || requests.resend || requests.system_prompt) sidebar_.stale = true;
}

void DesktopApp::carry_out(const SidebarRequests& requests) {
    if (requests.new_chat) new_chat();
    if (requests.open) open_conversation(*requests.open);
    if (requests.rename) {
        run_guarded(errors_, "renaming", [&] { history_.rename_conversation(requests.rename->first, requests.rename->second); });
        sidebar_.stale = true;
    }
    if (requests.remove) {
        run_guarded(errors_, "deleting", [&] {
            history_.delete_conversation(*requests.remove);
            chat_.forget(*requests.remove);
        });
        sidebar_.stale = true;
    }
}

void DesktopApp::start_load(const std::string& path) {
    if (chat_.generating()) {
        errors_.add("stop the answer (Esc) before loading another model");
        return;
    }
    loader_.start(LoadRequest{path, effective_threads(), parse_backend_kind(settings_.backend)});
}

void DesktopApp::new_chat() {
    chat_.start_new();
    chat_view_.editing_id.reset();
    chat_view_.layouts.clear();
    chat_view_.focus_input = true;
    sidebar_.stale = true;
}

void DesktopApp::open_conversation(int64_t id) {
    if (!run_guarded(errors_, "opening the conversation", [&] { chat_.open(id); })) {
        sidebar_.stale = true;
        return;
    }
    chat_view_.editing_id.reset();
    chat_view_.layouts.clear();
    chat_view_.scroll_to_end = true;
}

void DesktopApp::save_settings_when_settled() {
    // Not while a slider is dragged: one write when the value settles.
    if (ImGui::IsAnyItemActive() || to_key_values(settings_) == to_key_values(saved_settings_)) return;
    if (run_guarded(errors_, "saving settings", [&] { save_app_settings(history_, settings_, saved_settings_); }))
        saved_settings_ = settings_;
}

ModelRuntime& DesktopApp::loaded_runtime() {
    require(runtime_ != nullptr, ErrorKind::bad_request,
            loader_.busy() ? "the model is still loading" : "no model is loaded: pick one in the Model panel");
    return *runtime_;
}

int DesktopApp::effective_threads() const {
    if (options_.threads) return *options_.threads;
    return settings_.n_threads > 0 ? settings_.n_threads : automatic_threads_;
}

StatsSnapshot DesktopApp::stats_snapshot() const {
    StatsSnapshot stats;
    stats.generating = chat_.generating();
    stats.last = last_progress_;
    stats.resident_bytes = process_resident_bytes();
    if (runtime_) {
        stats.n_ctx = runtime_->engine->scheduler_options().n_ctx;
        stats.engine = runtime_->engine->stats();
        stats.kv_bytes = runtime_->engine->kv_bytes();
        stats.weight_bytes = runtime_->facts.weight_bytes;
    }
    return stats;
}

HostState DesktopApp::host_state() const {
    HostState state;
    state.model_ready = runtime_ != nullptr;
    const LoadProgress progress = loader_.progress();
    if (progress.stage == LoadStage::failed) state.model_error = progress.error;
    state.generating = chat_.generating();
    state.stored_messages = chat_.messages().size();
    state.answers = answers_;
    state.errors = errors_.messages();
    state.errors_total = errors_.total();
    return state;
}

void DesktopApp::apply_setting(const std::string& key, const std::string& value) {
    GenerationSettings& generation = settings_.generation;
    auto number = [&](auto parsed) {
        require(parsed.has_value(), ErrorKind::bad_request, "set " + key + ": '" + value + "' is not a number");
        return *parsed;
    };
    if (key == "temperature") {
        generation.sampling.temperature = number(parse_number<float>(value));
        generation.preset = std::string(kCustomPreset);
    } else if (key == "max_tokens") {
        generation.max_tokens = number(parse_number<int32_t>(value));
        require(generation.max_tokens >= 1, ErrorKind::bad_request, "set max_tokens: at least 1");
    } else if (key == "seed") {
        generation.sampling.seed = value == "random" ? kRandomSeed : number(parse_number<uint64_t>(value));
    } else if (key == "preset") {
        const auto preset = find_sampling_preset(value);
        require(preset.has_value(), ErrorKind::bad_request, "set preset: no preset named '" + value + "'");
        generation.preset = value;
        generation.sampling = preset->params;
    } else if (key == "system_prompt") {
        chat_.set_system_prompt(value);
    } else {
        throw Error(ErrorKind::bad_request, "set: unknown setting '" + key + "' (temperature, max_tokens, seed, preset, system_prompt)");
    }
    generation.sampling.validate();
}

std::optional<TargetRect> DesktopApp::find_target(const std::string& name) const { return targets_.find(name); }

FrameTimeSummary DesktopApp::generating_frame_times() const { return summarize_frame_times(generating_frame_ms_); }

}  // namespace hearth::ui
