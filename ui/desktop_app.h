#pragma once
// hearth-desktop: the window, its panels and the frame loop. Generation runs on the engine's
// thread and model loading on a worker; this thread only drains what they produce each frame,
// so the window never waits on them. Every failure becomes a message in the window.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <imgui.h>

#include "app/history/history_store.h"
#include "ui/app_settings.h"
#include "ui/chat_controller.h"
#include "ui/chat_view.h"
#include "ui/desktop_options.h"
#include "ui/error_log.h"
#include "ui/fonts.h"
#include "ui/gl_window.h"
#include "ui/model_loader.h"
#include "ui/model_panel.h"
#include "ui/rate_history.h"
#include "ui/script_host.h"
#include "ui/script_runner.h"
#include "ui/sidebar_view.h"
#include "ui/stats_panel.h"

namespace hearth::ui {

class DesktopApp final : public ScriptHost {
public:
    // Throws Error(unsupported) when no window can be opened, Error(bad_request/io) for a bad
    // test script; everything later is shown in the window instead.
    explicit DesktopApp(DesktopOptions options);
    ~DesktopApp();

    // The frame loop; returns the exit code (the test script's result in test mode).
    int run();

    HostState host_state() const override;
    void apply_setting(const std::string& key, const std::string& value) override;
    std::optional<TargetRect> find_target(const std::string& name) const override;
    FrameTimeSummary generating_frame_times() const override;

private:
    void frame();
    void apply_scale(float scale);
    void update_model();
    void update_chat();
    void handle_shortcuts();
    void draw();
    void draw_error_banner();
    void draw_side_panels();
    void carry_out(const ChatViewRequests& requests);
    void carry_out(const SidebarRequests& requests);
    void start_load(const std::string& path);
    void new_chat();
    void open_conversation(int64_t id);
    void save_settings_when_settled();
    ModelRuntime& loaded_runtime();
    int effective_threads() const;
    StatsSnapshot stats_snapshot() const;

    DesktopOptions options_;
    const int automatic_threads_;  // read once: the default reads the CPU topology from sysfs
    ErrorLog errors_;  // before history_: opening the history may already report a problem
    GlWindow window_;
    UiFonts fonts_;
    ImGuiStyle base_style_;  // unscaled, so a new HiDPI scale starts from it
    HistoryStore history_;
    AppSettings settings_;
    AppSettings saved_settings_;
    ChatController chat_;
    ModelLoader loader_;
    std::unique_ptr<ModelRuntime> runtime_;  // after chat_: its engine stops before a turn goes
    ChatViewState chat_view_;
    SidebarState sidebar_;
    ModelPanelState model_panel_;
    RateHistory rates_;
    std::optional<GenerationProgress> last_progress_;
    std::chrono::steady_clock::time_point last_rate_sample_;
    int32_t tokens_at_last_sample_ = 0;
    std::vector<double> generating_frame_ms_;
    std::vector<std::string> answers_;
    UiTargets targets_;
    int redraw_frames_ = 0;  // frames still to draw after input, before idling
    std::optional<ScriptRunner> script_;
};

}  // namespace hearth::ui
