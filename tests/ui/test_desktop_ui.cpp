// The real hearth-desktop under a virtual X display (ctest runs this through xvfb-run with
// Mesa's software OpenGL): a test script types a message into the input box, presses Enter,
// waits for the streamed answer, regenerates it, opens a new chat with Ctrl+N and types CJK
// text; then this checks the history database, the screenshots and the frame times.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

#include "app/history/history_store.h"
#include "tests/test_paths.h"

using namespace hearth;

namespace {

constexpr double kFrameBudgetMs = 16.0;
constexpr const char* kModelFile = "SmolLM2-135M-Instruct.Q4_1.gguf";
constexpr const char* kTypedMessage = "Write a Python function that adds two numbers.";
constexpr const char* kCjkFirstLine = "你好，世界！こんにちは、カタカナ。";
constexpr const char* kCjkMessage = "你好，世界！こんにちは、カタカナ。\n请用中文回答。";  // Shift+Enter between
constexpr int kLongAnswerTokens = 400;  // the script's limit for the answer that Esc stops

struct Run {
    int exit_code = -1;
    std::map<std::string, std::string> report;
};

// Single quotes for the shell (the paths used here contain none).
std::string shell_quoted(const std::filesystem::path& path) {
    std::string out(1, '\'');
    out.append(path.string()).push_back('\'');
    return out;
}

std::map<std::string, std::string> read_report(const std::filesystem::path& path) {
    std::map<std::string, std::string> values;
    std::ifstream file(path);
    for (std::string line; std::getline(file, line);) {
        const size_t eq = line.find('=');
        if (eq != std::string::npos) values[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return values;
}

// Runs the app with a test script; the display comes from the environment (xvfb-run).
Run run_app(const std::filesystem::path& dir, const std::string& script, const std::string& model,
            const std::filesystem::path& screenshots) {
    const auto report = dir / "report.txt";
    std::string command = "timeout 120 ";
    command.append(shell_quoted(HEARTH_DESKTOP_EXE)).append(" --threads 1 --size 1280x800 --scale 1");
    command.append(" --history ").append(shell_quoted(dir / "history.db"));
    command.append(" --model ").append(shell_quoted(model));
    command.append(" --test-script ").append(shell_quoted(std::filesystem::path(HEARTH_UI_TEST_DIR) / script));
    command.append(" --test-report ").append(shell_quoted(report));
    command.append(" --screenshot-dir ").append(shell_quoted(screenshots));
    Run run;
    const int status = std::system(command.c_str());
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.report = read_report(report);
    return run;
}

bool can_run() {
    if (!std::getenv("DISPLAY")) {
        MESSAGE("skipped: no X display (ctest runs this test through xvfb-run)");
        return false;
    }
    return true;
}

std::filesystem::path fresh_dir(const char* name) {
    const auto dir = std::filesystem::temp_directory_path() / (std::string("hearth-desktop-") + name + "-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

// Width and height from the PNG's IHDR, after checking the signature.
std::pair<uint32_t, uint32_t> png_size(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    unsigned char head[24] = {};
    file.read(reinterpret_cast<char*>(head), sizeof(head));
    REQUIRE(file.gcount() == 24);
    CHECK(std::string(reinterpret_cast<char*>(head) + 1, 3) == "PNG");
    CHECK(std::string(reinterpret_cast<char*>(head) + 12, 4) == "IHDR");
    auto u32 = [&](int at) { return (uint32_t(head[at]) << 24) | (uint32_t(head[at + 1]) << 16) | (uint32_t(head[at + 2]) << 8) | head[at + 3]; };
    return {u32(16), u32(20)};
}

std::filesystem::path screenshot_dir() {
    if (const char* dir = std::getenv("HEARTH_SCREENSHOT_DIR")) return dir;
    return HEARTH_SCREENSHOT_DIR;
}

}  // namespace

TEST_CASE("desktop app: send a message, stream the answer, store it (SmolLM2, real window)") {
    const auto model = test::model_dir() / kModelFile;
    if (!std::filesystem::exists(model)) {
        MESSAGE("skipped: " << model.string() << " is absent (scripts/fetch-models)");
        return;
    }
    if (!can_run()) return;
    const auto dir = fresh_dir("chat");
    const auto screenshots = screenshot_dir();
    const Run run = run_app(dir, "chat_smoke.script", model.string(), screenshots);
    INFO("report failure: " << (run.report.count("failure") ? run.report.at("failure") : "(no report)"));
    REQUIRE(run.exit_code == 0);
    CHECK(run.report.at("result") == "passed");

    // Frame times while the engine thread was generating.
    const double median = std::stod(run.report.at("median_frame_ms"));
    const int frames = std::stoi(run.report.at("frames_while_generating"));
    MESSAGE("median frame time while generating: " << median << " ms over " << frames << " frames (p95 "
                                                   << run.report.at("p95_frame_ms") << " ms, max " << run.report.at("max_frame_ms") << " ms)");
    CHECK(frames >= 10);
    CHECK(median > 0.0);
    CHECK(median < kFrameBudgetMs);

    // Regenerating at temperature 0 gives the same answer; the third answer was stopped.
    REQUIRE(run.report.at("answers") == "3");
    CHECK_FALSE(run.report.at("answer_1").empty());
    CHECK(run.report.at("answer_1") == run.report.at("answer_2"));

    // The history database holds the exchange (once: the regenerated answer replaced the first).
    HistoryStore history = HistoryStore::open(dir / "history.db");
    const auto conversations = history.list_conversations();  // most recent first
    REQUIRE(conversations.size() == 2);
    CHECK(conversations[1].title == kTypedMessage);
    const auto messages = history.list_messages(conversations[1].id);
    REQUIRE(messages.size() == 2);
    CHECK(messages[0].role == MessageRole::user);
    CHECK(messages[0].content == kTypedMessage);
    CHECK(messages[1].role == MessageRole::assistant);
    CHECK_FALSE(messages[1].content.empty());
    CHECK(messages[1].model == kModelFile);
    CHECK(messages[1].completion_tokens > 0);
    CHECK(messages[1].completion_tokens <= 48);
    CHECK(messages[1].tokens_per_second.has_value());
    // Ctrl+N started a second conversation; Esc stopped its answer early (kept as far as it got).
    const auto stopped = history.list_messages(conversations[0].id);
    REQUIRE_FALSE(stopped.empty());
    CHECK(stopped[0].content == kCjkMessage);
    CHECK(conversations[0].title == kCjkFirstLine);
    if (stopped.size() == 2) CHECK(stopped[1].completion_tokens < kLongAnswerTokens);

    // Settings changed by the script were kept for the next run.
    CHECK(history.get_setting("desktop.max_tokens") == std::to_string(kLongAnswerTokens));
    CHECK(history.get_setting("desktop.temperature") == "0");
    CHECK(history.get_setting("desktop.last_model") == model.string());

    for (const char* name : {"desktop-chat.png", "desktop-cjk-input.png"}) {
        const auto [width, height] = png_size(screenshots / name);
        CHECK(width == 1280);
        CHECK(height == 800);
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("desktop app: a broken model file is reported in the window, not a crash") {
    if (!can_run()) return;
    const auto dir = fresh_dir("bad-model");
    const auto bad = dir / "broken.gguf";
    std::ofstream(bad) << "GGUF but not really";
    const Run run = run_app(dir, "bad_model.script", bad.string(), dir);
    INFO("report failure: " << (run.report.count("failure") ? run.report.at("failure") : "(no report)"));
    CHECK(run.exit_code == 0);
    REQUIRE(run.report.count("error_1") == 1);
    CHECK(run.report.at("error_1").find("could not load the model") != std::string::npos);
    CHECK(run.report.at("error_1").find("broken.gguf") != std::string::npos);
    CHECK(png_size(dir / "desktop-load-error.png") == std::make_pair(1280u, 800u));
    std::filesystem::remove_all(dir);
}
