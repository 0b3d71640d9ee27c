#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <thread>
#include <unistd.h>

#include "app/history/history_store.h"
#include "core/error.h"
#include "tests/test_paths.h"
#include "ui/chat_controller.h"
#include "ui/model_loader.h"

using namespace hearth;
using namespace hearth::ui;

namespace {

using namespace std::chrono_literals;

std::filesystem::path smollm2_path() { return test::model_dir() / "SmolLM2-135M-Instruct.Q4_1.gguf"; }

std::unique_ptr<ModelRuntime> load_or_fail(const std::string& path) {
    ModelLoader loader;
    loader.start(LoadRequest{path, 1});
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (loader.busy() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
    const LoadProgress progress = loader.progress();
    REQUIRE_MESSAGE(progress.stage == LoadStage::done, progress.error);
    CHECK(progress.fraction == 1.0);
    return loader.take_result();
}

TurnOutcome wait_for_turn(ChatController& chat) {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
        if (auto outcome = chat.update()) return *outcome;
        std::this_thread::sleep_for(2ms);
    }
    FAIL("the answer did not finish within a minute");
    return {};
}

GenerationSettings greedy(int32_t max_tokens) {
    GenerationSettings settings;
    settings.preset = "Custom";
    settings.sampling.temperature = 0.0f;
    settings.max_tokens = max_tokens;
    return settings;
}

struct TempHistory {
    std::filesystem::path path = std::filesystem::temp_directory_path() / ("hearth-ui-chat-" + std::to_string(getpid()) + ".db");
    HistoryStore store = HistoryStore::open(path);
    ~TempHistory() {
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
    }
};

}  // namespace

TEST_CASE("a file that is not a model fails to load with a message, on the worker") {
    const auto path = std::filesystem::temp_directory_path() / ("hearth-ui-bad-" + std::to_string(getpid()) + ".gguf");
    {
        std::ofstream(path) << "this is not a GGUF file";
    }
    ModelLoader loader;
    loader.start(LoadRequest{path.string(), 1});
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (loader.busy() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
    const LoadProgress progress = loader.progress();
    CHECK(progress.stage == LoadStage::failed);
    CHECK_FALSE(progress.error.empty());
    CHECK(loader.take_error() == progress.error);
    CHECK_FALSE(loader.take_error().has_value());  // reported once
    CHECK(loader.take_result() == nullptr);
    std::filesystem::remove(path);

    loader.start(LoadRequest{"/no/such/model.gguf", 1});
    while (loader.busy()) std::this_thread::sleep_for(5ms);
    CHECK(loader.progress().stage == LoadStage::failed);
    CHECK(loader.progress().error.find("/no/such/model.gguf") != std::string::npos);
}

TEST_CASE("titles are the first line, cut to a number of characters") {
    CHECK(conversation_title("Hello\nsecond line", 48) == "Hello");
    CHECK(conversation_title("你好世界", 2) == "你好...");
    CHECK(conversation_title("你好世界", 4) == "你好世界");
    CHECK(conversation_title("abcdef", 3) == "abc...");
    CHECK(conversation_title("", 3).empty());
}

TEST_CASE("without a model, or with nothing to say, nothing is sent") {
    TempHistory history;
    ChatController chat(history.store, "sys");
    ModelRuntime empty;
    CHECK_THROWS_AS(chat.send(empty, "hi", greedy(4)), Error);
    CHECK_THROWS_AS(chat.regenerate(empty, greedy(4)), Error);
    CHECK_FALSE(chat.conversation_id().has_value());
    CHECK(history.store.list_conversations().empty());
    CHECK(chat.system_prompt() == "sys");
}

TEST_CASE("send, regenerate, edit-and-resend and stop store the right messages (SmolLM2)") {
    if (!std::filesystem::exists(smollm2_path())) {
        MESSAGE("skipped: " << smollm2_path().string() << " is absent");
        return;
    }
    TempHistory history;
    auto runtime = load_or_fail(smollm2_path().string());
    CHECK(runtime->backend_name == "cpu");
    CHECK_FALSE(runtime->device_description.empty());
    ChatController chat(history.store, "You are a helpful assistant.");
    CHECK_THROWS_AS(chat.send(*runtime, "  \n", greedy(8)), Error);

    chat.send(*runtime, "What is 2+2?", greedy(8));
    REQUIRE(chat.generating());
    CHECK_THROWS_AS(chat.send(*runtime, "again", greedy(8)), Error);  // one answer at a time
    const TurnOutcome first = wait_for_turn(chat);
    CHECK_FALSE(first.error.has_value());
    CHECK_FALSE(first.answer.empty());
    CHECK(first.result.generated_tokens <= 8);
    REQUIRE(chat.messages().size() == 2);
    CHECK(chat.messages()[0].role == MessageRole::user);
    CHECK(chat.messages()[0].content == "What is 2+2?");
    CHECK(chat.messages()[1].role == MessageRole::assistant);
    CHECK(chat.messages()[1].content == first.answer);
    CHECK(chat.messages()[1].model == "SmolLM2-135M-Instruct.Q4_1.gguf");
    CHECK(chat.messages()[1].completion_tokens == first.result.generated_tokens);
    const auto conversation = history.store.get_conversation(*chat.conversation_id());
    REQUIRE(conversation.has_value());
    CHECK(conversation->title == "What is 2+2?");
    CHECK(conversation->system_prompt == "You are a helpful assistant.");

    chat.regenerate(*runtime, greedy(8));
    CHECK(chat.messages().size() == 1);  // the old answer is out while the new one is written
    const TurnOutcome again = wait_for_turn(chat);
    CHECK(again.answer == first.answer);  // greedy: the same answer
    REQUIRE(history.store.list_messages(*chat.conversation_id()).size() == 2);

    chat.edit_and_resend(*runtime, chat.messages()[0].id, "What is 3+3?", greedy(8));
    wait_for_turn(chat);
    const auto edited = history.store.list_messages(*chat.conversation_id());
    REQUIRE(edited.size() == 2);
    CHECK(edited[0].content == "What is 3+3?");
    CHECK_THROWS_AS(chat.edit_and_resend(*runtime, edited[1].id, "x", greedy(8)), Error);  // not a user message

    chat.send(*runtime, "Tell me a long story about a dragon.", greedy(2000));
    chat.stop();
    const TurnOutcome stopped = wait_for_turn(chat);
    CHECK(stopped.result.finish == FinishReason::cancelled);
    CHECK(stopped.result.generated_tokens < 2000);
    const auto after_stop = history.store.list_messages(*chat.conversation_id());
    CHECK(after_stop.size() >= 3);  // the question is kept; the answer as far as it got, if any
    CHECK(after_stop[2].content == "Tell me a long story about a dragon.");

    chat.set_system_prompt("Answer in one word.");
    CHECK(history.store.get_conversation(*chat.conversation_id())->system_prompt == "Answer in one word.");
    chat.start_new();
    CHECK_FALSE(chat.conversation_id().has_value());
    CHECK(chat.system_prompt() == "You are a helpful assistant.");
}
