// The engine on the real SmolLM2 file: requests served together give exactly the tokens llama.cpp
// gives each alone (goldens in tests/data/goldens, see their "made_by"), whether they share steps,
// share a cached prefix, or get preempted and recomputed under a tiny KV budget.
#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/engine/engine.h"
#include "tests/models/model_fixture.h"

namespace hearth {
namespace {

struct GoldenCase {
    std::vector<int32_t> prompt;
    std::vector<int32_t> expected;
};

std::vector<GoldenCase> smollm2_cases() {
    std::ifstream in(test::test_data() / "goldens" / "smollm2-greedy.json");
    REQUIRE(in.good());
    const auto golden = nlohmann::json::parse(in);
    std::vector<GoldenCase> cases;
    for (const auto& c : golden.at("cases"))
        cases.push_back({c.at("prompt_ids").get<std::vector<int32_t>>(), c.at("generated_ids").get<std::vector<int32_t>>()});
    return cases;
}

Request greedy_request(const std::vector<int32_t>& prompt, int32_t max_tokens) {
    Request r;
    r.prompt = prompt;
    r.options.max_tokens = max_tokens;
    r.options.sampling.temperature = 0.0f;
    r.options.ignore_eos = true;
    return r;
}

std::vector<int32_t> drain(RequestStream& stream) {
    std::vector<int32_t> tokens;
    while (auto token = stream.next()) tokens.push_back(token->token);
    return tokens;
}

// A tokenizer is only needed for text; the goldens compare token ids.
std::unique_ptr<tokenizer::Tokenizer> tokenizer_of(const test::LoadedTestModel& loaded) {
    return std::make_unique<tokenizer::Tokenizer>(tokenizer::Tokenizer::from_gguf(*loaded.file));
}

void run_all_together(const EngineOptions& options, int64_t* preemptions = nullptr) {
    const auto loaded = test::load_test_model("SmolLM2-135M-Instruct.Q4_1.gguf");
    if (!loaded) return;
    const auto tok = tokenizer_of(*loaded);
    const std::vector<GoldenCase> cases = smollm2_cases();
    Engine engine(*loaded->model, *tok, options);
    std::vector<std::shared_ptr<RequestStream>> streams;
    for (const GoldenCase& c : cases)
        streams.push_back(engine.submit(greedy_request(c.prompt, static_cast<int32_t>(c.expected.size()))));
    for (size_t i = 0; i < cases.size(); ++i) {
        INFO("case " << i);
        CHECK(drain(*streams[i]) == cases[i].expected);
        CHECK(streams[i]->result().finish == FinishReason::length);
    }
    engine.wait_idle();
    const SchedulerStats st = engine.stats();
    CHECK(st.kv.pages_used == 0);
    CHECK(st.completed == static_cast<int64_t>(cases.size()));
    if (preemptions) *preemptions = st.preemptions;
}

TEST_CASE("SmolLM2: five concurrent greedy requests equal llama.cpp's tokens for each alone") {
    EngineOptions options;
    options.scheduler.n_ctx = 512;
    options.scheduler.max_batch_tokens = 16;  // prefill chunks share steps with other decodes
    options.scheduler.max_sequences = 8;
    run_all_together(options);
}

TEST_CASE("SmolLM2: under a KV budget too small for all, preemption still gives every golden") {
    EngineOptions options;
    options.scheduler.n_ctx = 512;
    options.scheduler.max_batch_tokens = 64;
    options.scheduler.max_sequences = 5;
    options.page_size = 8;
    options.kv_bytes = 120 * 23040;  // 120 token slots (23040 bytes each): about 1.5 sequences
    int64_t preemptions = 0;
    run_all_together(options, &preemptions);
    CHECK(preemptions > 0);
}

TEST_CASE("SmolLM2: a shared system prompt is computed once and reused from the prefix cache") {
    const auto loaded = test::load_test_model("SmolLM2-135M-Instruct.Q4_1.gguf");
    if (!loaded) return;
    const auto tok = tokenizer_of(*loaded);
    const std::vector<int32_t> system = tok->encode(
        "<|im_start|>system\nYou are a careful assistant. Answer briefly, in plain words, and say so "
        "when you do not know. Never make up facts or sources.<|im_end|>\n",
        {.add_special = false, .parse_special = true});
    REQUIRE(system.size() >= 32);
    const std::vector<std::string> questions = {"What is rain?", "Name a prime.", "Why is the sky blue?"};
    EngineOptions options;
    options.scheduler.n_ctx = 256;
    Engine engine(*loaded->model, *tok, options);

    std::vector<std::vector<int32_t>> prompts, outputs;
    for (const auto& q : questions) {
        std::vector<int32_t> p = system;
        const auto user = tok->encode("<|im_start|>user\n" + q + "<|im_end|>\n<|im_start|>assistant\n",
                                      {.add_special = false, .parse_special = true});
        p.insert(p.end(), user.begin(), user.end());
        prompts.push_back(p);
    }
    // The first request fills the cache; the others then arrive together.
    auto first = engine.submit(greedy_request(prompts[0], 12));
    outputs.push_back(drain(*first));
    const int64_t computed_alone = engine.stats().prefill_tokens_computed;
    std::vector<std::shared_ptr<RequestStream>> rest;
    for (size_t i = 1; i < prompts.size(); ++i) rest.push_back(engine.submit(greedy_request(prompts[i], 12)));
    for (auto& s : rest) outputs.push_back(drain(*s));
    engine.wait_idle();

    const int32_t page = 16;
    const int32_t shared_pages_tokens = static_cast<int32_t>(system.size()) / page * page;
    for (auto& s : rest) CHECK(s->result().prompt_tokens_cached >= shared_pages_tokens);
    const SchedulerStats st = engine.stats();
    int64_t all_prompts = 0;
    for (const auto& p : prompts) all_prompts += static_cast<int64_t>(p.size());
    CHECK(st.prefill_tokens_computed == computed_alone + all_prompts - static_cast<int64_t>(prompts[0].size()) -
                                            rest[0]->result().prompt_tokens_cached - rest[1]->result().prompt_tokens_cached);
    CHECK(st.kv.prefix_hit_rate() > 0.0);

    // Each output equals what a fresh engine with an empty cache produces for that prompt alone.
    for (size_t i = 0; i < prompts.size(); ++i) {
        Engine fresh(*loaded->model, *tok, options);
        auto alone = fresh.submit(greedy_request(prompts[i], 12));
        CHECK(drain(*alone) == outputs[i]);
        CHECK(alone->result().prompt_tokens_cached == 0);
    }
}

TEST_CASE("SmolLM2: cancelling a running request frees its pages and leaves others unharmed") {
    const auto loaded = test::load_test_model("SmolLM2-135M-Instruct.Q4_1.gguf");
    if (!loaded) return;
    const auto tok = tokenizer_of(*loaded);
    const std::vector<GoldenCase> cases = smollm2_cases();
    EngineOptions options;
    options.scheduler.n_ctx = 512;
    Engine engine(*loaded->model, *tok, options);
    auto doomed = engine.submit(greedy_request(cases[0].prompt, 400));
    auto kept = engine.submit(greedy_request(cases[1].prompt, static_cast<int32_t>(cases[1].expected.size())));
    for (int i = 0; i < 3; ++i) REQUIRE(doomed->next().has_value());
    engine.cancel(doomed->id());
    const RequestResult result = doomed->wait();
    CHECK(result.finish == FinishReason::cancelled);
    CHECK(result.generated_tokens < 400);
    CHECK(drain(*kept) == cases[1].expected);
    engine.wait_idle();
    CHECK(engine.stats().kv.pages_used == 0);
    CHECK(engine.stats().cancelled == 1);
}

}  // namespace
}  // namespace hearth
