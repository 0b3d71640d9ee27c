// The attention op over paged KV storage: the result does not depend on which pages hold a
// sequence or what else is in the batch (bit for bit), matches a dense double-precision reference
// (causal and sliding window, GQA), on every ISA path; Q8_0 pages stay close to F16 ones.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "tests/cpu/isa_requests.h"

namespace hearth::cpu {
namespace {

struct Shape {
    int32_t n_head, n_head_kv, head_dim, n_tokens, page_size, window;
};

struct Inputs {
    std::vector<float> q, k, v;  // [n_tokens, heads * head_dim]
};

Inputs random_inputs(const Shape& s, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    Inputs in;
    in.q.resize(static_cast<size_t>(s.n_tokens) * s.n_head * s.head_dim);
    in.k.resize(static_cast<size_t>(s.n_tokens) * s.n_head_kv * s.head_dim);
    in.v.resize(in.k.size());
    for (auto* buf : {&in.q, &in.k, &in.v})
        for (float& x : *buf) x = normal(rng);
    return in;
}

// Stores the sequence's K/V through `table` and returns every row's attention output.
std::vector<float> run(CpuBackend& backend, const Shape& s, const Inputs& in, const std::vector<int32_t>& table,
                       int32_t n_pages, DType kv_type) {
    const int32_t kv_dim = s.n_head_kv * s.head_dim;
    auto pages = backend.create_kv_pages(KvLayout{1, kv_dim, s.page_size, n_pages, kv_type, s.head_dim});
    std::vector<int32_t> positions(s.n_tokens), sequences(s.n_tokens, 0);
    std::iota(positions.begin(), positions.end(), 0);
    const std::span<const int32_t> table_span(table);
    const BatchRows rows{positions, sequences, std::span(&table_span, 1)};
    std::vector<float> q = in.q, k = in.k, v = in.v, out(in.q.size());
    const int64_t q_cols = static_cast<int64_t>(s.n_head) * s.head_dim;
    backend.kv_store(*pages, 0, Tensor{k.data(), s.n_tokens, kv_dim}, Tensor{v.data(), s.n_tokens, kv_dim}, rows);
    const AttentionParams params{s.n_head, s.n_head_kv, s.head_dim, 1.0f / std::sqrt(static_cast<float>(s.head_dim)),
                                 s.window};
    backend.attention(*pages, 0, Tensor{q.data(), s.n_tokens, q_cols}, rows, params, Tensor{out.data(), s.n_tokens, q_cols});
    return out;
}

// As run(), but each row's attention computed in a batch of its own (a decode step's shape).
std::vector<float> run_rows_alone(CpuBackend& backend, const Shape& s, const Inputs& in, DType kv_type) {
    const int32_t kv_dim = s.n_head_kv * s.head_dim;
    const int32_t n_pages = (s.n_tokens + s.page_size - 1) / s.page_size;
    auto pages = backend.create_kv_pages(KvLayout{1, kv_dim, s.page_size, n_pages, kv_type, s.head_dim});
    std::vector<int32_t> table(n_pages), positions(s.n_tokens), sequences(s.n_tokens, 0);
    std::iota(table.begin(), table.end(), 0);
    std::iota(positions.begin(), positions.end(), 0);
    const std::span<const int32_t> table_span(table);
    std::vector<float> q = in.q, k = in.k, v = in.v, out(in.q.size());
    backend.kv_store(*pages, 0, Tensor{k.data(), s.n_tokens, kv_dim}, Tensor{v.data(), s.n_tokens, kv_dim},
                     BatchRows{positions, sequences, std::span(&table_span, 1)});
    const int64_t q_cols = static_cast<int64_t>(s.n_head) * s.head_dim;
    const AttentionParams params{s.n_head, s.n_head_kv, s.head_dim, 1.0f / std::sqrt(static_cast<float>(s.head_dim)),
                                 s.window};
    for (int32_t t = 0; t < s.n_tokens; ++t) {
        const BatchRows row{std::span(&positions[t], 1), std::span(&sequences[t], 1), std::span(&table_span, 1)};
        backend.attention(*pages, 0, Tensor{q.data() + t * q_cols, 1, q_cols}, row, params,
                          Tensor{out.data() + t * q_cols, 1, q_cols});
    }
    return out;
}

// Dense softmax(q.k * scale) v in double, no roundings: the mathematical answer.
std::vector<float> dense_reference(const Shape& s, const Inputs& in) {
    const int32_t kv_dim = s.n_head_kv * s.head_dim, q_dim = s.n_head * s.head_dim;
    const double scale = 1.0 / std::sqrt(static_cast<double>(s.head_dim));
    std::vector<float> out(in.q.size());
    for (int32_t t = 0; t < s.n_tokens; ++t)
        for (int32_t h = 0; h < s.n_head; ++h) {
            const int32_t kvh = h / (s.n_head / s.n_head_kv);
            const int32_t first = s.window > 0 ? std::max(0, t - s.window + 1) : 0;
            std::vector<double> w;
            for (int32_t j = first; j <= t; ++j) {
                double dot = 0;
                for (int32_t d = 0; d < s.head_dim; ++d)
                    dot += static_cast<double>(in.q[t * q_dim + h * s.head_dim + d]) * in.k[j * kv_dim + kvh * s.head_dim + d];
                w.push_back(dot * scale);
            }
            const double mx = *std::max_element(w.begin(), w.end());
            double sum = 0;
            for (double& x : w) sum += (x = std::exp(x - mx));
            for (int32_t d = 0; d < s.head_dim; ++d) {
                double acc = 0;
                for (int32_t j = first; j <= t; ++j) acc += w[j - first] / sum * in.v[j * kv_dim + kvh * s.head_dim + d];
                out[t * q_dim + h * s.head_dim + d] = static_cast<float>(acc);
            }
        }
    return out;
}

double normalised_error(const std::vector<float>& got, const std::vector<float>& want) {
    double err = 0, norm = 0;
    for (size_t i = 0; i < got.size(); ++i) {
        err += (static_cast<double>(got[i]) - want[i]) * (static_cast<double>(got[i]) - want[i]);
        norm += static_cast<double>(want[i]) * want[i];
    }
    return std::sqrt(err / std::max(norm, 1e-30));
}

TEST_CASE("paged attention: any page placement gives the same bits, close to the dense reference") {
    const Shape shapes[] = {{4, 2, 64, 37, 16, 0}, {3, 3, 32, 20, 4, 0}, {6, 2, 64, 45, 8, 13}, {2, 1, 128, 9, 16, 0}};
    for (const IsaRequest isa : isa_requests_here()) {
        CpuBackend backend(CpuOptions{2, isa});
        for (const Shape& s : shapes) {
            CAPTURE(s.head_dim);
            CAPTURE(s.n_tokens);
            CAPTURE(s.window);
            const Inputs in = random_inputs(s, 7u + static_cast<uint32_t>(s.n_tokens));
            const int32_t n_used = (s.n_tokens + s.page_size - 1) / s.page_size;
            const int32_t n_pages = n_used + 70;  // the shuffled pages spread over two blocks of the CPU pages
            std::vector<int32_t> in_order(n_used), shuffled(n_pages);
            std::iota(in_order.begin(), in_order.end(), 0);
            std::iota(shuffled.begin(), shuffled.end(), 0);
            std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(3));
            shuffled.resize(n_used);
            const std::vector<float> a = run(backend, s, in, in_order, n_pages, DType::F16);
            const std::vector<float> b = run(backend, s, in, shuffled, n_pages, DType::F16);
            CHECK(a == b);
            CHECK(normalised_error(a, dense_reference(s, in)) < 2e-3);  // f16 storage and rounded q
            const std::vector<float> q8 = run(backend, s, in, shuffled, n_pages, DType::Q8_0);
            CHECK(normalised_error(q8, dense_reference(s, in)) < 1e-2);
        }
    }
}

// In the exact arithmetic; the default one's vector softmax is held to the dense reference above.
TEST_CASE("paged attention: every instruction set equals the scalar path bit for bit when exact") {
    const Shape s{8, 2, 64, 50, 16, 0};
    const Inputs in = random_inputs(s, 5);
    const std::vector<int32_t> table = {3, 0, 2, 1};
    CpuBackend scalar(CpuOptions{2, IsaRequest::scalar});
    const std::vector<float> expected = run(scalar, s, in, table, 4, DType::F16);
    for (const IsaRequest isa : isa_requests_here()) {
        CpuBackend backend(CpuOptions{.n_threads = 2, .isa = isa, .exact = true});
        CAPTURE(isa_name(backend.isa()));
        CHECK(run(backend, s, in, table, 4, DType::F16) == expected);
    }
}

// A decode step shares one row's heads among the threads (groups split between them, SmolLM2's 9
// heads in 3 groups on 2 threads), or past one chunk of keys in the default arithmetic its (group,
// chunk) pairs; a prompt hands out groups or heads and pairs rows. Same bits.
TEST_CASE("paged attention: a row alone gives the bits it gets in a batch, on any number of threads") {
    const Shape shapes[] = {{9, 3, 64, 21, 16, 0}, {6, 2, 64, 19, 4, 0}, {4, 1, 128, 12, 8, 0}, {8, 2, 64, 17, 16, 5},
                            {9, 3, 64, 530, 16, 0}, {4, 1, 32, 600, 8, 300}};
    for (const bool exact : {false, true}) {
        for (const Shape& s : shapes) {
            const Inputs in = random_inputs(s, 11u + static_cast<uint32_t>(s.n_head));
            std::vector<int32_t> table((s.n_tokens + s.page_size - 1) / s.page_size);
            std::iota(table.begin(), table.end(), 0);
            CpuBackend one(CpuOptions{.n_threads = 1, .exact = exact});
            const std::vector<float> expected = run(one, s, in, table, static_cast<int32_t>(table.size()), DType::F16);
            for (int threads : {1, 2, 3, 5}) {
                CpuBackend backend(CpuOptions{.n_threads = threads, .exact = exact});
                CAPTURE(exact);
                CAPTURE(s.n_head);
                CAPTURE(threads);
                CHECK(run(backend, s, in, table, static_cast<int32_t>(table.size()), DType::F16) == expected);
                CHECK(run_rows_alone(backend, s, in, DType::F16) == expected);
            }
        }
    }
}

TEST_CASE("paged attention: bad block tables and shapes are errors, not crashes") {
    CpuBackend backend(CpuOptions{1});
    const Shape s{2, 1, 32, 10, 4, 0};
    const Inputs in = random_inputs(s, 1);
    CHECK_THROWS_AS(run(backend, s, in, {0, 1}, 4, DType::F16), Error);     // too few pages for 10 tokens
    CHECK_THROWS_AS(run(backend, s, in, {0, 1, 9}, 4, DType::F16), Error);  // a page outside the pool
    CHECK_THROWS_AS(backend.create_kv_pages(KvLayout{1, 96, 4, 4, DType::Q8_0, 48}), Error);  // not whole blocks
    CHECK_THROWS_AS(backend.create_kv_pages(KvLayout{1, 64, 4, 4, DType::Q4_0, 32}), Error);
    CHECK_THROWS_AS(backend.create_kv_pages(KvLayout{1, 64, 4, 4, DType::F16, 48}), Error);  // heads that do not divide rows
    CHECK_THROWS_AS(backend.create_kv_pages(KvLayout{1, 64, 4, 4, DType::F16}), Error);      // no head width
}

TEST_CASE("paged attention: a copied page gives every layer and head the keys and values of the original") {
    CpuBackend backend(CpuOptions{1});
    const Shape s{4, 2, 32, 4, 4, 0};  // one page of 4 positions, 2 KV heads
    const int32_t kv_dim = s.n_head_kv * s.head_dim, q_cols = s.n_head * s.head_dim;
    auto pages = backend.create_kv_pages(KvLayout{2, kv_dim, s.page_size, 70, DType::F16, s.head_dim});  // two blocks
    const Inputs in = random_inputs(s, 21);
    std::vector<int32_t> positions = {0, 1, 2, 3}, sequences(4, 0);
    const std::vector<int32_t> original = {0}, copy = {69};
    const AttentionParams params{s.n_head, s.n_head_kv, s.head_dim, 0.25f, 0};
    const auto attend = [&](const std::vector<int32_t>& table, int32_t layer) {
        const std::span<const int32_t> table_span(table);
        std::vector<float> q = in.q, out(in.q.size());
        backend.attention(*pages, layer, Tensor{q.data(), 4, q_cols}, BatchRows{positions, sequences, std::span(&table_span, 1)}, params,
                          Tensor{out.data(), 4, q_cols});
        return out;
    };
    const std::span<const int32_t> table_span(original);
    for (int32_t layer = 0; layer < 2; ++layer) {
        std::vector<float> k = in.k, v = in.v;
        for (float& x : k) x += static_cast<float>(layer);  // each layer's keys its own
        backend.kv_store(*pages, layer, Tensor{k.data(), 4, kv_dim}, Tensor{v.data(), 4, kv_dim},
                         BatchRows{positions, sequences, std::span(&table_span, 1)});
    }
    backend.copy_kv_page(*pages, 0, 69);
    for (int32_t layer = 0; layer < 2; ++layer) CHECK(attend(copy, layer) == attend(original, layer));
    CHECK(attend(original, 0) != attend(original, 1));
}

TEST_CASE("paged attention: a KV pool larger than any memory is an out-of-memory error") {
    CpuBackend backend(CpuOptions{1});
    // 2^50 bytes of keys, and 2^69 (past 64 bits)
    for (const KvLayout layout : {KvLayout{1024, 4096, 1024, 1 << 17, DType::F16, 128}, KvLayout{4096, 65536, 1024, 1 << 30, DType::F16, 128}}) {
        CAPTURE(layout.n_pages);
        try {
            backend.create_kv_pages(layout);
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::out_of_memory);
            CHECK(std::string(e.what()).find("KV cache") != std::string::npos);
        }
    }
}

}  // namespace
}  // namespace hearth::cpu
