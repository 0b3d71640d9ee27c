// kv_store and paged attention on the Vulkan device against the CPU backend: equal bits for F16
// and Q8_0 pages, GQA, sliding windows, shuffled pages, several sequences in one batch, prefill
// followed by single-token steps, and copy-on-write page copies.
#include <doctest/doctest.h>

#include <algorithm>

#include "tests/vulkan/vk_test_util.h"

namespace hearth::test {
namespace {

struct Shape {
    int32_t n_head, n_head_kv, head_dim, n_tokens, page_size, window;
};

// Two sequences of n_tokens each, stored through shuffled block tables, attended in one batch
// (prefill of the first `split` positions, then the rest one row per step).
struct Batch {
    std::vector<int32_t> positions, sequences;
    std::vector<std::vector<int32_t>> tables;
};

std::vector<std::vector<int32_t>> shuffled_tables(const Shape& s, int32_t n_pages) {
    std::vector<int32_t> pages(static_cast<size_t>(n_pages));
    std::iota(pages.begin(), pages.end(), 0);
    std::shuffle(pages.begin(), pages.end(), std::mt19937(3));
    const int32_t per_seq = (s.n_tokens + s.page_size - 1) / s.page_size;
    return {std::vector<int32_t>(pages.begin(), pages.begin() + per_seq),
            std::vector<int32_t>(pages.begin() + per_seq, pages.begin() + 2 * per_seq)};
}

// Runs the steps on one backend and returns every step's attention output, concatenated.
std::vector<float> run_steps(Backend& b, Pair& pair, bool vulkan, const Shape& s, DType kv_type, int32_t split) {
    const int32_t kv_dim = s.n_head_kv * s.head_dim, q_dim = s.n_head * s.head_dim;
    const int32_t n_pages = 2 * ((s.n_tokens + s.page_size - 1) / s.page_size) + 3;
    auto pages = b.create_kv_pages(KvLayout{2, kv_dim, s.page_size, n_pages, kv_type, s.head_dim});
    const auto tables = shuffled_tables(s, n_pages);
    std::vector<std::span<const int32_t>> table_spans(tables.begin(), tables.end());
    std::vector<float> all;
    uint32_t seed = 40;
    for (int32_t begin = 0; begin < s.n_tokens;) {
        const int32_t end = begin == 0 ? split : begin + 1;
        std::vector<int32_t> positions, sequences;
        for (int32_t seq = 0; seq < 2; ++seq)
            for (int32_t p = begin; p < end; ++p) {
                positions.push_back(p);
                sequences.push_back(seq);
            }
        const BatchRows rows{positions, sequences, table_spans};
        const int64_t n = static_cast<int64_t>(positions.size());
        pair.begin_step();
        const auto k = pair.tensor(normal_values(static_cast<size_t>(n * kv_dim), seed++), n, kv_dim);
        const auto v = pair.tensor(normal_values(static_cast<size_t>(n * kv_dim), seed++), n, kv_dim);
        const auto q = pair.tensor(normal_values(static_cast<size_t>(n * q_dim), seed++, 2.0f), n, q_dim);
        const AttentionParams params{s.n_head, s.n_head_kv, s.head_dim, 1.0f / std::sqrt(static_cast<float>(s.head_dim)),
                                     s.window};
        for (int32_t layer = 0; layer < 2; ++layer) {
            const Tensor out = b.alloc(n, q_dim);
            b.kv_store(*pages, layer, vulkan ? k.vk : k.cpu, vulkan ? v.vk : v.cpu, rows);
            b.attention(*pages, layer, vulkan ? q.vk : q.cpu, rows, params, out);
            const std::vector<float> got = vulkan ? pair.read_vk(out) : pair.read_cpu(out);
            all.insert(all.end(), got.begin(), got.end());
        }
        begin = end;
    }
    return all;
}

TEST_CASE("vulkan kv_store + paged attention equal the CPU backend bit for bit") {
    auto vulkan = try_vulkan();
    if (!vulkan) return;
    Pair pair(std::move(vulkan));
    const Shape shapes[] = {{4, 2, 64, 37, 16, 0}, {3, 3, 32, 20, 4, 0}, {6, 2, 64, 45, 8, 13}, {2, 1, 128, 9, 16, 0},
                            {9, 3, 64, 70, 16, 0}};
    for (const Shape& s : shapes) {
        for (const DType kv_type : {DType::F16, DType::Q8_0}) {
            CAPTURE(s.head_dim);
            CAPTURE(s.n_tokens);
            CAPTURE(s.window);
            CAPTURE(dtype_info(kv_type).name);
            const int32_t split = std::max(1, s.n_tokens - 4);
            const std::vector<float> got = run_steps(pair.vk(), pair, true, s, kv_type, split);
            const std::vector<float> want = run_steps(pair.cpu(), pair, false, s, kv_type, split);
            CHECK(count_bit_differences(got, want) == 0);
        }
    }
}

TEST_CASE("vulkan copy_kv_page copies every layer's keys and values") {
    auto vulkan = try_vulkan();
    if (!vulkan) return;
    Pair pair(std::move(vulkan));
    Backend& b = pair.vk();
    const int32_t kv_dim = 64, page_size = 4, n = 4;
    auto pages = b.create_kv_pages(KvLayout{2, kv_dim, page_size, 3, DType::F16});
    const std::vector<int32_t> positions = {0, 1, 2, 3}, sequences = {0, 0, 0, 0};
    const std::vector<int32_t> page0 = {0}, page2 = {2};
    std::vector<std::span<const int32_t>> tables = {page0};
    const auto k = pair.tensor(normal_values(n * kv_dim, 1), n, kv_dim);
    const auto v = pair.tensor(normal_values(n * kv_dim, 2), n, kv_dim);
    const auto q = pair.tensor(normal_values(n * kv_dim, 3), n, kv_dim);
    const AttentionParams params{1, 1, kv_dim, 0.125f, 0};
    const Tensor a = b.alloc(n, kv_dim), c = b.alloc(n, kv_dim);
    b.kv_store(*pages, 1, k.vk, v.vk, BatchRows{positions, sequences, tables});
    b.attention(*pages, 1, q.vk, BatchRows{positions, sequences, tables}, params, a);
    b.copy_kv_page(*pages, 0, 2);
    tables = {page2};
    b.attention(*pages, 1, q.vk, BatchRows{positions, sequences, tables}, params, c);
    const std::vector<float> before = pair.read_vk(a);
    CHECK(before == pair.read_vk(c));
    CHECK(std::any_of(before.begin(), before.end(), [](float x) { return x != 0.0f; }));
}

TEST_CASE("vulkan attention rejects block tables that do not cover a row's keys") {
    auto vulkan = try_vulkan();
    if (!vulkan) return;
    Pair pair(std::move(vulkan));
    Backend& b = pair.vk();
    auto pages = b.create_kv_pages(KvLayout{1, 32, 4, 2, DType::F16});
    const std::vector<int32_t> positions = {5}, sequences = {0};
    const std::vector<int32_t> short_table = {0}, bad_page = {0, 7};
    const auto q = pair.tensor(normal_values(32, 1), 1, 32);
    const Tensor out = b.alloc(1, 32);
    const AttentionParams params{1, 1, 32, 0.125f, 0};
    std::vector<std::span<const int32_t>> tables = {short_table};
    CHECK_THROWS_AS(b.attention(*pages, 0, q.vk, BatchRows{positions, sequences, tables}, params, out), Error);
    tables = {bad_page};
    CHECK_THROWS_AS(b.kv_store(*pages, 0, q.vk, q.vk, BatchRows{positions, sequences, tables}), Error);
}

}  // namespace
}  // namespace hearth::test
