// The serving path runs unchanged on the Vulkan device: the Engine's scheduler batches several
// greedy requests over paged KV with a budget small enough to force preemption, and each still
// gets the tokens of llama.cpp's goldens (so the block tables, copy-on-write-free paging and
// recompute work on device memory exactly as on the CPU).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/engine/engine.h"
#include "core/tokenizer/tokenizer.h"
#include "models/model.h"
#include "tests/test_paths.h"
#include "tests/vulkan/vk_test_util.h"

namespace hearth::test {
namespace {

TEST_CASE("SmolLM2 on Vulkan: concurrent requests through the engine, with preemption, give the goldens") {
    std::ifstream in(test_data() / "goldens" / "smollm2-greedy.json");
    REQUIRE(in.good());
    const auto golden = nlohmann::json::parse(in);
    const auto path = model_dir() / golden.at("model_file").get<std::string>();
    if (!std::filesystem::exists(path)) {
        MESSAGE("skipped: " << path.string() << " is absent (scripts/fetch-models fetches it)");
        return;
    }
    auto vulkan = try_vulkan();
    if (!vulkan) return;
    const auto file = gguf::GgufFile::open(path.string());
    const auto model = load_model(*file, *vulkan);
    const auto tokenizer = tokenizer::Tokenizer::from_gguf(*file);

    constexpr size_t kTokens = 12;  // a prefix of each golden keeps this under a minute on lavapipe
    EngineOptions options;
    options.scheduler.n_ctx = 64;
    options.scheduler.max_batch_tokens = 16;
    options.page_size = 4;
    // 8 pages: each sequence alone needs 4-5 of them, any two at once 9-10, so preemption happens
    // whenever two are running together, however the submissions fall into steps.
    options.kv_bytes = 8 * 4 * model->kv_bytes_per_token();
    Engine engine(*model, tokenizer, options);
    std::vector<std::shared_ptr<RequestStream>> streams;
    std::vector<std::vector<int32_t>> expected;
    for (size_t i = 0; i < 3; ++i) {
        const auto& c = golden.at("cases").at(i);
        Request r;
        r.prompt = c.at("prompt_ids").get<std::vector<int32_t>>();
        r.options.max_tokens = static_cast<int32_t>(kTokens);
        r.options.sampling.temperature = 0.0f;
        r.options.ignore_eos = true;
        auto want = c.at("generated_ids").get<std::vector<int32_t>>();
        want.resize(kTokens);
        expected.push_back(want);
        streams.push_back(engine.submit(std::move(r)));
    }
    for (size_t i = 0; i < streams.size(); ++i) {
        std::vector<int32_t> got;
        while (auto token = streams[i]->next()) got.push_back(token->token);
        INFO("case " << i);
        CHECK(got == expected[i]);
    }
    engine.wait_idle();
    const SchedulerStats stats = engine.stats();
    CHECK(stats.preemptions > 0);
    CHECK(stats.kv.pages_used == 0);
}

}  // namespace
}  // namespace hearth::test
