// Statistical checks with fixed seeds: the empirical frequencies of many draws against the
// probabilities each filter should leave, and brute-force checks of which tokens survive.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "core/sample/sampler.h"
#include "sample_test_util.h"

namespace hearth {
namespace {

constexpr int kDraws = 200000;

std::vector<double> frequencies(Sampler& sampler, const std::vector<float>& logits, int draws = kDraws) {
    std::vector<double> counts(logits.size(), 0.0);
    for (int i = 0; i < draws; ++i) counts[static_cast<std::size_t>(sampler.sample(logits))] += 1.0;
    for (double& c : counts) c /= draws;
    return counts;
}

// Each frequency within 5 standard errors of its expected probability (plus a hair for
// float rounding); a token with probability 0 must never appear.
void check_matches(const std::vector<double>& freq, const std::vector<double>& expected, int draws = kDraws) {
    REQUIRE(freq.size() == expected.size());
    for (std::size_t t = 0; t < freq.size(); ++t) {
        if (expected[t] == 0.0) {
            CHECK_MESSAGE(freq[t] == 0.0, "excluded token " << t << " was drawn");
            continue;
        }
        const double tolerance = 5.0 * std::sqrt(expected[t] * (1.0 - expected[t]) / draws) + 1e-6;
        CHECK_MESSAGE(std::abs(freq[t] - expected[t]) <= tolerance,
                      "token " << t << ": freq " << freq[t] << " expected " << expected[t]);
    }
}

// Expected distribution when only the tokens in `kept` survive, at this temperature.
std::vector<double> renormalised(const std::vector<float>& logits, const std::set<int32_t>& kept, double temperature) {
    std::vector<double> probs = test::softmax(logits, temperature);
    for (std::size_t t = 0; t < probs.size(); ++t) {
        if (!kept.contains(static_cast<int32_t>(t))) probs[t] = 0.0;
    }
    const double total = std::accumulate(probs.begin(), probs.end(), 0.0);
    for (double& p : probs) p /= total;
    return probs;
}

std::set<int32_t> survivors(Sampler& sampler, const std::vector<float>& logits) {
    std::set<int32_t> tokens;
    for (const Candidate& c : sampler.distribution(logits)) tokens.insert(c.token);
    return tokens;
}

// Tokens ordered by descending logit, lowest id first on ties: the brute-force reference order.
std::vector<int32_t> ranked(const std::vector<float>& logits) {
    std::vector<int32_t> order(logits.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
        return logits[static_cast<std::size_t>(a)] > logits[static_cast<std::size_t>(b)];
    });
    return order;
}

}  // namespace

TEST_CASE("with every filter off, frequencies follow softmax(logits / T)") {
    const std::vector<float> logits = {0.3f, -1.2f, 2.0f, 0.0f, 1.1f, -0.4f, 0.9f, -2.5f};
    for (double temperature : {1.0, 0.5, 2.0}) {
        SamplingParams params = test::plain_params(17);
        params.temperature = static_cast<float>(temperature);
        Sampler sampler(params, 8);
        check_matches(frequencies(sampler, logits), test::softmax(logits, temperature));
    }
}

TEST_CASE("a lower temperature sharpens, a higher one flattens") {
    const std::vector<float> logits = {1.0f, 0.0f, 0.5f, -0.5f};
    std::vector<double> top_share;
    for (float temperature : {0.25f, 1.0f, 4.0f}) {
        SamplingParams params = test::plain_params(23);
        params.temperature = temperature;
        Sampler sampler(params, 4);
        top_share.push_back(frequencies(sampler, logits)[0]);
    }
    CHECK(top_share[0] > 0.85);  // softmax at T = 0.25: 0.865
    CHECK(top_share[0] > top_share[1] + 0.3);
    CHECK(top_share[1] > top_share[2] + 0.1);
    CHECK(top_share[2] < 0.32);  // T = 4: 0.298
}

TEST_CASE("top-k draws only among the k best, renormalised") {
    const std::vector<float> logits = {0.5f, 1.5f, -1.0f, 1.0f, 0.2f, 2.0f};
    SamplingParams params = test::plain_params(29);
    params.top_k = 3;
    Sampler sampler(params, 6);
    check_matches(frequencies(sampler, logits), renormalised(logits, {5, 1, 3}, 1.0));
}

TEST_CASE("top-p keeps the smallest set reaching the mass and never draws outside it") {
    // Probabilities 0.05, 0.5, 0.15, 0.3 (ids shuffled so the sort matters): p = 0.75 keeps {1, 3}.
    const std::vector<float> logits = test::logits_for({0.05, 0.5, 0.15, 0.3});
    SamplingParams params = test::plain_params(31);
    params.top_p = 0.75f;
    Sampler sampler(params, 4);
    check_matches(frequencies(sampler, logits), renormalised(logits, {1, 3}, 1.0));

    params.top_p = 0.0f;  // keeps just the best token
    Sampler narrow(params, 4);
    check_matches(frequencies(narrow, logits), renormalised(logits, {1}, 1.0));
}

TEST_CASE("min-p drops tokens below min_p times the best probability") {
    // Threshold 0.2 * 0.5 = 0.1: the 0.05 and 0.08 tokens go.
    const std::vector<float> logits = test::logits_for({0.08, 0.5, 0.05, 0.25, 0.12});
    SamplingParams params = test::plain_params(37);
    params.min_p = 0.2f;
    params.temperature = 1.5f;  // applied after min-p, so the kept set is the same
    Sampler sampler(params, 5);
    check_matches(frequencies(sampler, logits), renormalised(logits, {1, 3, 4}, 1.5));
}

// Rows for the large-vocabulary checks: flat to peaked (top-p then crosses in buckets holding
// many or few tokens), with ties, with half the vocabulary masked to -inf, and all equal.
std::vector<std::vector<float>> large_rows(std::size_t vocab) {
    Xoshiro256 rng(41);
    std::vector<std::vector<float>> rows;
    for (double spread : {0.5, 4.0, 12.0}) {
        std::vector<float> logits = test::random_logits(rng, vocab, spread);
        logits[123] = logits[vocab - 7] = logits[ranked(logits)[3]];  // ties near the top
        rows.push_back(logits);
    }
    std::vector<float> masked = test::random_logits(rng, vocab, 3.0);
    for (std::size_t t = 0; t < vocab; t += 2) masked[t] = -INFINITY;
    rows.push_back(masked);
    rows.emplace_back(vocab, 0.25f);
    return rows;
}

TEST_CASE("the kept sets equal a brute-force reference over a large vocabulary") {
    constexpr std::size_t kVocab = 50000;
    for (const std::vector<float>& logits : large_rows(kVocab)) {
        const std::vector<int32_t> order = ranked(logits);
        const std::vector<double> probs = test::softmax(logits, 1.0);

        for (float top_p : {0.3f, 0.9f, 0.99f}) {
            SamplingParams params = test::plain_params(1);
            params.top_p = top_p;
            Sampler sampler(params, kVocab);
            std::vector<int32_t> expected;
            double mass = 0.0;
            for (int32_t token : order) {
                expected.push_back(token);
                mass += probs[static_cast<std::size_t>(token)];
                if (mass >= top_p) break;
            }
            // Summation order differs, so the cut may move by one token at the edge.
            const std::set<int32_t> got = survivors(sampler, logits);
            const std::size_t common = std::min(got.size(), expected.size());
            CHECK(std::max(got.size(), expected.size()) - common <= 1);
            CHECK(got == std::set<int32_t>(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(got.size())));
        }

        SamplingParams params = test::plain_params(1);
        params.top_k = 100;
        Sampler top_k(params, kVocab);
        CHECK(survivors(top_k, logits) == std::set<int32_t>(order.begin(), order.begin() + 100));

        params = test::plain_params(1);
        params.min_p = 0.1f;
        Sampler min_p(params, kVocab);
        const double best = probs[static_cast<std::size_t>(order[0])];
        std::set<int32_t> expected;
        for (std::size_t t = 0; t < kVocab; ++t) {
            if (probs[t] >= 0.1 * best * (1 + 1e-6)) expected.insert(static_cast<int32_t>(t));
        }
        const std::set<int32_t> got = survivors(min_p, logits);
        CHECK(std::includes(got.begin(), got.end(), expected.begin(), expected.end()));
        CHECK(got.size() <= expected.size() + 1);
    }
}

TEST_CASE("draws after a large top-p cut follow the renormalised distribution") {
    // Few distinct values over a large vocabulary, so the expected frequencies are measurable.
    std::vector<float> logits(2000, -30.0f);
    const std::vector<double> weights = {0.4, 0.3, 0.2, 0.1};
    const std::vector<int32_t> tokens = {1900, 7, 1234, 800};
    for (std::size_t i = 0; i < tokens.size(); ++i) logits[static_cast<std::size_t>(tokens[i])] = std::log(weights[i]);
    SamplingParams params = test::plain_params(47);
    params.top_p = 0.85f;  // keeps 0.4 + 0.3 + 0.2
    Sampler sampler(params, 2000);
    constexpr int kFewerDraws = 30000;  // each draw scans the whole vocabulary
    check_matches(frequencies(sampler, logits, kFewerDraws), renormalised(logits, {1900, 7, 1234}, 1.0), kFewerDraws);
}

TEST_CASE("the default chain composes top-k, top-p and min-p") {
    // Probabilities 0.4, 0.25, 0.15, 0.1, 0.06, 0.04: top-k 5 drops 0.04; top-p 0.8 over the
    // renormalised rest (0.417, 0.26, 0.156, ...) keeps 3; min-p 0.5 then drops 0.15 (< 0.2).
    const std::vector<float> logits = test::logits_for({0.1, 0.4, 0.04, 0.25, 0.06, 0.15});
    SamplingParams params = test::plain_params(43);
    params.top_k = 5;
    params.top_p = 0.8f;
    params.min_p = 0.5f;
    params.temperature = 0.7f;
    Sampler sampler(params, 6);
    CHECK(survivors(sampler, logits) == std::set<int32_t>{1, 3});
    check_matches(frequencies(sampler, logits), renormalised(logits, {1, 3}, 0.7));
}

}  // namespace hearth
