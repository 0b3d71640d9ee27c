// Penalties change exactly the logits of tokens in the window, by the documented amounts.
#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "core/sample/sampler.h"
#include "sample_test_util.h"

namespace hearth {
namespace {

const std::vector<float> kLogits = {2.0f, -1.0f, 0.5f, 3.0f, -0.25f, 0.0f, 1.0f, -4.0f};

// Logits after penalties, by token id (every filter off so all candidates survive).
std::vector<float> penalised(SamplingParams params, const std::vector<int32_t>& history) {
    params.temperature = 1.0f;
    params.top_k = 0;
    params.top_p = 1.0f;
    params.min_p = 0.0f;
    Sampler sampler(params, static_cast<int32_t>(kLogits.size()));
    for (int32_t token : history) sampler.accept(token);
    std::vector<float> out(kLogits.size(), NAN);
    for (const Candidate& c : sampler.distribution(kLogits)) out[static_cast<std::size_t>(c.token)] = c.logit;
    return out;
}

}  // namespace

TEST_CASE("repeat penalty divides positive logits and multiplies negative ones") {
    const std::vector<float> got = penalised(SamplingParams{.repeat_penalty = 2.0f}, {0, 1, 5, 3, 3});
    const std::vector<float> expected = {1.0f, -2.0f, 0.5f, 1.5f, -0.25f, 0.0f, 1.0f, -4.0f};
    CHECK(got == expected);

    const std::vector<float> encouraged = penalised(SamplingParams{.repeat_penalty = 0.5f}, {0, 1});
    CHECK(encouraged[0] == 4.0f);
    CHECK(encouraged[1] == -0.5f);
    CHECK(encouraged[2] == 0.5f);
}

TEST_CASE("frequency scales with the count, presence is paid once") {
    const std::vector<float> got =
        penalised(SamplingParams{.presence_penalty = 0.25f, .frequency_penalty = 0.5f}, {3, 3, 3, 7, 1, 3});
    std::vector<float> expected = kLogits;
    expected[3] -= 4 * 0.5f + 0.25f;
    expected[7] -= 1 * 0.5f + 0.25f;
    expected[1] -= 1 * 0.5f + 0.25f;
    CHECK(got == expected);

    // Negative values reward repetition, as OpenAI allows.
    const std::vector<float> rewarded = penalised(SamplingParams{.presence_penalty = -1.0f}, {4});
    CHECK(rewarded[4] == -0.25f + 1.0f);
}

TEST_CASE("repeat penalty comes first, then frequency and presence") {
    const std::vector<float> got = penalised(
        SamplingParams{.repeat_penalty = 2.0f, .presence_penalty = 1.0f, .frequency_penalty = 0.5f}, {0, 0, 4});
    CHECK(got[0] == 2.0f / 2.0f - 2 * 0.5f - 1.0f);
    CHECK(got[4] == -0.25f * 2.0f - 0.5f - 1.0f);
    CHECK(got[6] == 1.0f);
}

TEST_CASE("the window holds the last repeat_last_n tokens") {
    const SamplingParams last_two{.repeat_penalty = 2.0f, .repeat_last_n = 2};
    const std::vector<float> got = penalised(last_two, {0, 3, 6, 3});  // window: 6, 3
    CHECK(got[0] == 2.0f);
    CHECK(got[6] == 0.5f);
    CHECK(got[3] == 1.5f);

    const std::vector<float> counted =
        penalised(SamplingParams{.repeat_last_n = 3, .frequency_penalty = 1.0f}, {3, 3, 3, 3, 0, 3});
    CHECK(counted[3] == 3.0f - 2.0f);  // only two of the 3s are inside the last three tokens
    CHECK(counted[0] == 2.0f - 1.0f);

    const std::vector<float> all =
        penalised(SamplingParams{.repeat_last_n = -1, .frequency_penalty = 1.0f}, std::vector<int32_t>(100, 6));
    CHECK(all[6] == 1.0f - 100.0f);

    CHECK(penalised(SamplingParams{.repeat_penalty = 2.0f, .repeat_last_n = 0}, {0, 3}) == kLogits);
}

TEST_CASE("TokenWindow keeps counts and the distinct list through evictions") {
    TokenWindow window(10, 3);
    for (int32_t token : {4, 4, 7, 2, 4, 9}) window.push(token);  // last three: 2, 4, 9
    std::vector<int32_t> distinct(window.distinct().begin(), window.distinct().end());
    std::sort(distinct.begin(), distinct.end());
    CHECK(distinct == std::vector<int32_t>{2, 4, 9});
    CHECK(window.count(4) == 1);
    CHECK(window.count(7) == 0);
    window.clear();
    CHECK(window.distinct().empty());
    CHECK(window.count(2) == 0);
}

TEST_CASE("penalties steer greedy decoding, and reset() forgets the history") {
    SamplingParams params{.temperature = 0.0f, .repeat_penalty = 4.0f};
    Sampler sampler(params, static_cast<int32_t>(kLogits.size()));
    CHECK(sampler.sample(kLogits) == 3);
    sampler.accept(3);
    CHECK(sampler.sample(kLogits) == 0);  // 3.0 / 4 = 0.75 < 2.0
    sampler.accept(0);
    CHECK(sampler.sample(kLogits) == 6);
    sampler.reset();
    CHECK(sampler.sample(kLogits) == 3);
}

}  // namespace hearth
