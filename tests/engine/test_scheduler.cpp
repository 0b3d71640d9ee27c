// The scheduler on a small synthetic model (tests/models/synthetic_model.h): request validation,
// context overflow, log-probabilities, priorities, and a randomized run of submits, cancels and
// steps under a tight KV budget that must finish every request exactly once, give every greedy
// request the tokens it gets alone, and leak no page.
#include <doctest/doctest.h>

#include <map>
#include <random>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "core/engine/session.h"
#include "core/error.h"
#include "core/sched/scheduler.h"
#include "tests/models/synthetic_model.h"

namespace hearth {
namespace {

struct Fixture {
    Fixture()
        : bytes(test::synthetic_model_bytes(test::SyntheticArch::qwen2)),
          file(gguf::GgufFile::from_memory(bytes)),
          // "Tokens as alone" below is a property of the exact arithmetic (CpuOptions::exact).
          backend(cpu::CpuOptions{.n_threads = 2, .exact = true}),
          model(load_model(*file, backend)),
          tokenizer(tokenizer::Tokenizer::from_gguf(*file)) {}
    std::unique_ptr<KvPages> pages(int32_t n_pages, int32_t page_size = 4) const {
        return model->create_kv_pages(n_pages, page_size);
    }
    std::vector<int32_t> alone(const std::vector<int32_t>& prompt, int32_t n) const {
        Session session(*model, SessionOptions{256, 64});
        std::span<const float> logits = session.feed(prompt);
        std::vector<int32_t> out;
        while (static_cast<int32_t>(out.size()) < n) {
            const int32_t next = static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
            out.push_back(next);
            if (static_cast<int32_t>(out.size()) < n) logits = session.feed(std::span<const int32_t>(&next, 1));
        }
        return out;
    }
    std::vector<uint8_t> bytes;
    std::unique_ptr<gguf::GgufFile> file;
    cpu::CpuBackend backend;
    std::unique_ptr<Model> model;
    tokenizer::Tokenizer tokenizer;
};

const Fixture& fixture() {
    static const Fixture f;  // built once per test binary; read-only afterwards
    return f;
}

struct Outcome {
    std::vector<int32_t> tokens;
    std::vector<GeneratedToken> events;
    std::optional<RequestResult> result;
    int finishes = 0;
};

Request greedy(std::vector<int32_t> prompt, int32_t max_tokens, Outcome& outcome) {
    Request r;
    r.prompt = std::move(prompt);
    r.options.max_tokens = max_tokens;
    r.options.sampling.temperature = 0.0f;
    r.options.ignore_eos = true;
    r.on_token = [&outcome](const GeneratedToken& t) {
        outcome.tokens.push_back(t.token);
        outcome.events.push_back(t);
    };
    r.on_finish = [&outcome](const RequestResult& res) {
        outcome.result = res;
        ++outcome.finishes;
    };
    return r;
}

void run_until_idle(Scheduler& s, int max_steps = 10000) {
    for (int i = 0; i < max_steps && !s.idle(); ++i) s.step();
    REQUIRE(s.idle());
}

std::vector<int32_t> prompt_of(int32_t length, int32_t seed) {
    std::vector<int32_t> p(length);
    for (int32_t i = 0; i < length; ++i) p[i] = 40 + (seed * 7 + i * 3) % 60;
    return p;
}

TEST_CASE("scheduler rejects bad requests with a clear error") {
    const Fixture& f = fixture();
    auto pages = f.pages(64);
    Scheduler s(*f.model, f.tokenizer, *pages, SchedulerOptions{32, 16, 4});
    Outcome o;
    CHECK_THROWS_WITH_AS(s.add(1, greedy({}, 4, o)), doctest::Contains("empty"), Error);
    CHECK_THROWS_WITH_AS(s.add(2, greedy(prompt_of(32, 1), 4, o)), doctest::Contains("context holds 32"), Error);
    CHECK_THROWS_WITH_AS(s.add(3, greedy({1, 99999}, 4, o)), doctest::Contains("outside the vocabulary"), Error);
    Request bad = greedy({1, 2}, 4, o);
    bad.top_logprobs = 21;
    CHECK_THROWS_AS(s.add(4, bad), Error);
    bad = greedy({1, 2}, -1, o);
    CHECK_THROWS_AS(s.add(5, bad), Error);
    bad = greedy({1, 2}, 4, o);
    bad.options.sampling.top_p = 2.0f;
    CHECK_THROWS_AS(s.add(6, bad), Error);
    CHECK(s.idle());
    auto small = f.pages(2);  // 8 token slots
    Scheduler tiny(*f.model, f.tokenizer, *small, SchedulerOptions{32, 16, 4});
    CHECK_THROWS_WITH_AS(tiny.add(7, greedy(prompt_of(10, 1), 4, o)), doctest::Contains("KV cache holds 8"), Error);
}

TEST_CASE("reaching the context size finishes, or shifts and goes on when asked") {
    const Fixture& f = fixture();
    auto pages = f.pages(64);
    Scheduler s(*f.model, f.tokenizer, *pages, SchedulerOptions{24, 16, 4});
    Outcome full, shifted;
    s.add(1, greedy(prompt_of(10, 2), 100, full));
    Request r = greedy(prompt_of(10, 3), 40, shifted);
    r.on_overflow = ContextOverflow::shift;
    r.n_keep = 4;
    s.add(2, std::move(r));
    run_until_idle(s);
    REQUIRE(full.result);
    CHECK(full.result->finish == FinishReason::context_full);
    CHECK(full.tokens.size() == 24 - 10);
    REQUIRE(shifted.result);
    CHECK(shifted.result->finish == FinishReason::length);
    CHECK(shifted.tokens.size() == 40);
    // Before the first shift the tokens are those of the sequence alone.
    const std::vector<int32_t> alone = f.alone(prompt_of(10, 3), 14);
    CHECK(std::vector<int32_t>(shifted.tokens.begin(), shifted.tokens.begin() + 14) == alone);
    CHECK(s.stats().kv.pages_used == 0);
}

TEST_CASE("log-probabilities describe the raw distribution, most likely first") {
    const Fixture& f = fixture();
    auto pages = f.pages(64);
    Scheduler s(*f.model, f.tokenizer, *pages, SchedulerOptions{64, 16, 4});
    Outcome o;
    Request r = greedy(prompt_of(6, 4), 5, o);
    r.top_logprobs = 3;
    s.add(1, std::move(r));
    run_until_idle(s);
    REQUIRE(o.events.size() == 5);
    for (const GeneratedToken& t : o.events) {
        REQUIRE(t.top_logprobs.size() == 3);
        CHECK(t.top_logprobs[0].token == t.token);  // greedy picks the most likely
        CHECK(t.logprob == t.top_logprobs[0].logprob);
        CHECK(t.top_logprobs[0].logprob >= t.top_logprobs[1].logprob);
        CHECK(t.top_logprobs[1].logprob >= t.top_logprobs[2].logprob);
        CHECK(t.logprob <= 0.0f);
    }
}

TEST_CASE("a higher priority request is admitted first") {
    const Fixture& f = fixture();
    auto pages = f.pages(64);
    Scheduler s(*f.model, f.tokenizer, *pages, SchedulerOptions{64, 16, 1});
    Outcome low, high;
    s.add(1, greedy(prompt_of(5, 5), 3, low));
    Request urgent = greedy(prompt_of(5, 6), 3, high);
    urgent.priority = 5;
    s.add(2, std::move(urgent));
    s.step();
    CHECK(high.tokens.size() == 1);
    CHECK(low.tokens.empty());
    run_until_idle(s);
    CHECK(low.tokens.size() == 3);
}

TEST_CASE("randomized submits, cancels and steps: every request ends once, greedy tokens as alone, no leak") {
    const Fixture& f = fixture();
    auto pages = f.pages(20, 4);  // 80 token slots for up to 6 sequences of up to 54 tokens
    Scheduler s(*f.model, f.tokenizer, *pages, SchedulerOptions{64, 24, 6});
    std::mt19937 rng(99);
    std::map<RequestId, Outcome> outcomes;
    std::map<RequestId, std::pair<std::vector<int32_t>, int32_t>> asked;
    std::vector<RequestId> open;
    RequestId next = 1;
    int ops = 0;
    for (; ops < 3000; ++ops) {
        const unsigned kind = rng() % 10;
        if (kind < 3 && next <= 200) {
            const int32_t length = 1 + static_cast<int32_t>(rng() % 30);
            const int32_t max_tokens = static_cast<int32_t>(rng() % 24);
            // Prompts share beginnings often, so the prefix cache and copy-on-write get work.
            std::vector<int32_t> prompt = prompt_of(length, static_cast<int32_t>(rng() % 4));
            prompt.back() = 40 + static_cast<int32_t>(rng() % 50);
            Request r = greedy(prompt, max_tokens, outcomes[next]);
            r.priority = static_cast<int32_t>(rng() % 3);
            s.add(next, std::move(r));
            asked[next] = {prompt, max_tokens};
            open.push_back(next++);
        } else if (kind == 3 && !open.empty()) {
            s.cancel(open[rng() % open.size()]);
        } else if (!s.idle()) {
            s.step();
        }
        const SchedulerStats st = s.stats();
        REQUIRE(st.kv.pages_used + st.kv.pages_cached + st.kv.pages_free == st.kv.pages_total);
    }
    run_until_idle(s);
    int cancelled = 0;
    for (auto& [id, o] : outcomes) {
        INFO("request " << id);
        REQUIRE(o.finishes == 1);
        if (o.result->finish == FinishReason::cancelled) {
            ++cancelled;
            continue;
        }
        CHECK(o.result->finish == FinishReason::length);
        const auto& [prompt, max_tokens] = asked[id];
        CHECK(o.tokens == f.alone(prompt, max_tokens));
    }
    const SchedulerStats st = s.stats();
    CHECK(st.kv.pages_used == 0);
    CHECK(st.running == 0);
    CHECK(st.waiting == 0);
    CHECK(st.completed + st.cancelled == static_cast<int64_t>(outcomes.size()));
    CHECK(cancelled > 0);
    CHECK(st.preemptions > 0);
    CHECK(st.kv.prefix_tokens_reused > 0);
    MESSAGE(outcomes.size() << " requests, " << cancelled << " cancelled, " << st.preemptions << " preemptions, "
                            << st.steps << " steps, prefix hit rate " << st.kv.prefix_hit_rate());
}

}  // namespace
}  // namespace hearth
