// Sampler behaviour that does not need statistics: greedy, determinism, errors, validation.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "core/error.h"
#include "core/sample/sampler.h"
#include "sample_test_util.h"

namespace hearth {
namespace {

int32_t reference_argmax(const std::vector<float>& logits) {
    int32_t best = 0;
    for (std::size_t i = 1; i < logits.size(); ++i) {
        if (logits[i] > logits[static_cast<std::size_t>(best)]) best = static_cast<int32_t>(i);
    }
    return best;
}

template <typename Fn>
void check_error(Fn&& fn, ErrorKind kind, const std::string& fragment) {
    try {
        fn();
        FAIL("expected an error mentioning " << fragment);
    } catch (const Error& e) {
        CHECK(e.kind() == kind);
        CHECK_MESSAGE(std::string(e.what()).find(fragment) != std::string::npos, e.what());
    }
}

}  // namespace

TEST_CASE("greedy picks the argmax, the lowest id on ties") {
    SamplingParams params;
    params.temperature = 0.0f;
    Sampler sampler(params, 6);
    CHECK(sampler.sample(std::vector<float>{0.1f, 2.0f, -3.0f, 1.9f, 0.0f, 1.0f}) == 1);
    CHECK(sampler.sample(std::vector<float>{1.0f, 3.0f, 0.0f, 3.0f, 3.0f, -1.0f}) == 1);
    CHECK(sampler.sample(std::vector<float>{-INFINITY, -5.0f, -INFINITY, -4.0f, -4.5f, -INFINITY}) == 3);

    params.temperature = -1.0f;  // any temperature <= 0 is greedy
    Sampler negative(params, 1000);
    Xoshiro256 rng(1);
    for (int trial = 0; trial < 50; ++trial) {
        const std::vector<float> logits = test::random_logits(rng, 1000, 10.0);
        CHECK(negative.sample(logits) == reference_argmax(logits));
    }
}

TEST_CASE("top_k = 1 equals greedy at any temperature") {
    Xoshiro256 rng(2);
    for (float temperature : {0.05f, 1.0f, 7.0f, 1000.0f}) {
        SamplingParams params = test::plain_params(3);
        params.temperature = temperature;
        params.top_k = 1;
        Sampler sampler(params, 777);
        for (int trial = 0; trial < 40; ++trial) {
            std::vector<float> logits = test::random_logits(rng, 777, 3.0);
            if (trial % 4 == 0) logits[500] = logits[100] = 50.0f;  // a tie: the lower id wins
            const int32_t expected = trial % 4 == 0 ? 100 : reference_argmax(logits);
            CHECK(sampler.sample(logits) == expected);
        }
    }
}

TEST_CASE("the same seed and logits give the same tokens; other seeds diverge") {
    auto run = [](uint64_t seed) {
        SamplingParams params;  // the default chain, penalties on
        params.seed = seed;
        params.repeat_penalty = 1.1f;
        params.frequency_penalty = 0.2f;
        Sampler sampler(params, 300);
        Xoshiro256 logit_source(99);
        std::vector<int32_t> tokens;
        for (int step = 0; step < 200; ++step) {
            const int32_t token = sampler.sample(test::random_logits(logit_source, 300, 1.5));
            sampler.accept(token);
            tokens.push_back(token);
        }
        return tokens;
    };
    const std::vector<int32_t> first = run(1234);
    CHECK(run(1234) == first);
    CHECK(run(1235) != first);
    CHECK(run(0) != first);
    CHECK(std::set<int32_t>(first.begin(), first.end()).size() > 20);  // it really sampled
}

TEST_CASE("reset() replays the same stream; a random seed is reported and reusable") {
    SamplingParams params = test::plain_params(kRandomSeed);
    Sampler sampler(params, 64);
    CHECK(sampler.seed() != kRandomSeed);
    Xoshiro256 logit_source(5);
    std::vector<std::vector<float>> rows;
    for (int i = 0; i < 50; ++i) rows.push_back(test::random_logits(logit_source, 64, 1.0));

    std::vector<int32_t> first, replay, again;
    for (const auto& row : rows) first.push_back(sampler.sample(row));
    sampler.reset();
    for (const auto& row : rows) replay.push_back(sampler.sample(row));
    CHECK(replay == first);

    params.seed = sampler.seed();
    Sampler reseeded(params, 64);
    for (const auto& row : rows) again.push_back(reseeded.sample(row));
    CHECK(again == first);
    CHECK(Sampler(test::plain_params(kRandomSeed), 64).seed() != sampler.seed());  // 2^-64 to fail by chance
}

TEST_CASE("the candidate buffer is reused between calls") {
    Sampler sampler(test::plain_params(1), 5000);
    Xoshiro256 rng(8);
    const Candidate* first = sampler.distribution(test::random_logits(rng, 5000, 2.0)).data();
    for (int i = 0; i < 5; ++i) CHECK(sampler.distribution(test::random_logits(rng, 5000, 2.0)).data() == first);
}

TEST_CASE("distribution() matches an independent softmax when every filter is off") {
    Xoshiro256 rng(11);
    const std::vector<float> logits = test::random_logits(rng, 50, 4.0);
    SamplingParams params = test::plain_params(1);
    params.temperature = 0.6f;
    Sampler sampler(params, 50);
    const std::vector<double> expected = test::softmax(logits, 0.6);
    const auto dist = sampler.distribution(logits);
    REQUIRE(dist.size() == 50);
    for (const Candidate& c : dist) CHECK(c.prob == doctest::Approx(expected[static_cast<std::size_t>(c.token)]).epsilon(1e-5));
}

TEST_CASE("bad logits are internal errors naming the problem") {
    Sampler sampler(test::plain_params(1), 4);
    check_error([&] { sampler.sample(std::vector<float>{0.0f, NAN, 1.0f, 2.0f}); }, ErrorKind::internal,
                "token 1 is NaN");
    check_error([&] { sampler.sample(std::vector<float>{0.0f, 1.0f, 2.0f, INFINITY}); }, ErrorKind::internal,
                "token 3 is +inf");
    check_error([&] { sampler.sample(std::vector<float>(4, -INFINITY)); }, ErrorKind::internal, "every logit is -inf");
    check_error([&] { sampler.sample(std::vector<float>(5, 0.0f)); }, ErrorKind::internal, "5 logits");
    Sampler greedy(SamplingParams{.temperature = 0.0f}, 3);
    check_error([&] { greedy.sample(std::vector<float>{NAN, 0.0f, 0.0f}); }, ErrorKind::internal, "NaN");
}

TEST_CASE("validation names the bad field") {
    auto expect_bad = [](SamplingParams params, const std::string& field) {
        check_error([&] { params.validate(); }, ErrorKind::bad_request, field);
        check_error([&] { Sampler(params, 10); }, ErrorKind::bad_request, field);
    };
    CHECK_NOTHROW(SamplingParams{}.validate());
    expect_bad(SamplingParams{.temperature = NAN}, "temperature");
    expect_bad(SamplingParams{.temperature = INFINITY}, "temperature");
    expect_bad(SamplingParams{.top_k = -1}, "top_k");
    expect_bad(SamplingParams{.top_p = 1.5f}, "top_p");
    expect_bad(SamplingParams{.top_p = -0.1f}, "top_p");
    expect_bad(SamplingParams{.top_p = NAN}, "top_p");
    expect_bad(SamplingParams{.min_p = 2.0f}, "min_p");
    expect_bad(SamplingParams{.repeat_penalty = 0.0f}, "repeat_penalty");
    expect_bad(SamplingParams{.repeat_penalty = 1000.0f}, "repeat_penalty");
    expect_bad(SamplingParams{.repeat_last_n = -2}, "repeat_last_n");
    expect_bad(SamplingParams{.presence_penalty = 2.5f}, "presence_penalty");
    expect_bad(SamplingParams{.frequency_penalty = -3.0f}, "frequency_penalty");
    check_error([] { Sampler(SamplingParams{}, 0); }, ErrorKind::bad_request, "n_vocab");

    Sampler sampler(SamplingParams{}, 10);
    check_error([&] { sampler.accept(10); }, ErrorKind::bad_request, "token id 10");
    check_error([&] { sampler.accept(-1); }, ErrorKind::bad_request, "token id -1");
    CHECK_NOTHROW(sampler.accept(9));
}

}  // namespace hearth
