// The flash attention step (kernels/flash_attention.h): the reference loops against softmax(q.k) v in
// double, the vector kernels against the reference over several tiles (the running maximum rising
// and not), odd head widths and key counts, partly visible tiles; a query vector's bits do not depend
// on the other query vectors of its call.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "backends/cpu/kernels/fast_math.h"
#include "backends/cpu/kernels/flash_attention.h"
#include "core/quant/half.h"

namespace hearth::cpu {
namespace {

// Query vectors against a run of keys in tiles, as ops_attention.cpp drives the step: query i sees
// keys [0, last[i]]. Queries hold f16 values (the callers round them) times `spread`.
struct Problem {
    int64_t n = 64;
    int queries = 3;
    int n_keys = 40;
    std::vector<float> q;
    std::vector<uint16_t> keys, values;  // n_keys rows of n
    std::vector<int32_t> last;

    Problem(int64_t width, int query_count, int key_count, float spread, uint32_t seed)
        : n(width), queries(query_count), n_keys(key_count) {
        std::mt19937 rng(seed);
        std::normal_distribution<float> normal(0.0f, 1.0f);
        q.resize(static_cast<size_t>(queries * n));
        for (float& x : q) x = fp16_to_f32(f32_to_fp16(normal(rng) * spread));
        keys.resize(static_cast<size_t>(n_keys * n));
        values.resize(keys.size());
        for (uint16_t& x : keys) x = f32_to_fp16(normal(rng));
        for (uint16_t& x : values) x = f32_to_fp16(normal(rng));
        std::uniform_int_distribution<int> pick(0, n_keys - 1);
        for (int i = 0; i < queries; ++i) last.push_back(i == 0 ? n_keys - 1 : pick(rng));
    }

    // Every query vector's output through `tile`, queries [q0, q0 + count) in one call per tile.
    std::vector<float> run(FlashTileKernel tile, int q0, int count) const {
        std::vector<float> acc(static_cast<size_t>(count * n)), out(static_cast<size_t>(count * n));
        FlashState state;
        state.acc = acc.data();
        flash_start(state, count, n);
        for (int j = 0; j < n_keys; j += kFlashTileKeys) {
            const int tile_keys = std::min(kFlashTileKeys, n_keys - j);
            const uint16_t* k[kFlashTileKeys];
            const uint16_t* v[kFlashTileKeys];
            for (int i = 0; i < tile_keys; ++i) {
                k[i] = keys.data() + (j + i) * n;
                v[i] = values.data() + (j + i) * n;
            }
            int32_t visible[kFlashMaxQueries];
            for (int i = 0; i < count; ++i) visible[i] = last[q0 + i] - j + 1;
            tile(q.data() + q0 * n, n, count, visible, k, v, tile_keys, n, 0.125f, state);
        }
        for (int i = 0; i < count; ++i) flash_finish(state, i, n, out.data() + i * n);
        return out;
    }

    std::vector<float> dense() const {
        std::vector<float> out(static_cast<size_t>(queries * n));
        for (int i = 0; i < queries; ++i) {
            std::vector<double> w(static_cast<size_t>(last[i] + 1));
            for (int j = 0; j <= last[i]; ++j) {
                double dot = 0.0;
                for (int64_t d = 0; d < n; ++d) dot += static_cast<double>(q[i * n + d]) * fp16_to_f32(keys[j * n + d]);
                w[j] = dot * 0.125;
            }
            const double top = *std::max_element(w.begin(), w.end());
            double sum = 0.0;
            for (double& x : w) sum += (x = std::exp(x - top));
            for (int64_t d = 0; d < n; ++d) {
                double acc = 0.0;
                for (int j = 0; j <= last[i]; ++j) acc += w[j] / sum * fp16_to_f32(values[j * n + d]);
                out[i * n + d] = static_cast<float>(acc);
            }
        }
        return out;
    }
};

// Float roundings of a score grow with its size (~ spread * sqrt(n) / 8 here) and pass through exp
// into the weights: the bound allows a few roundings of the largest scores.
double float_bound(int64_t n, float spread) { return 2e-7 * (8.0 + spread * std::sqrt(static_cast<double>(n))); }

double normalised_error(const std::vector<float>& got, const std::vector<float>& want) {
    double err = 0.0, norm = 0.0;
    for (size_t i = 0; i < got.size(); ++i) {
        err += (static_cast<double>(got[i]) - want[i]) * (static_cast<double>(got[i]) - want[i]);
        norm += static_cast<double>(want[i]) * want[i];
    }
    return std::sqrt(err / std::max(norm, 1e-30));
}

// The vector kernels this CPU can run, with their instruction sets' names.
std::vector<std::pair<const char*, FlashTileKernel>> vector_kernels_here() {
    const CpuFeatures cpu = detect_cpu_features();
    std::vector<std::pair<const char*, FlashTileKernel>> kernels;
    if (cpu.avx2) kernels.emplace_back("avx2", fast_math_kernels_for(Isa::avx2).flash_f16);
    if (cpu.avx512) kernels.emplace_back("avx512", fast_math_kernels_for(Isa::avx512).flash_f16);
    if (cpu.neon_dotprod) kernels.emplace_back("neon", fast_math_kernels_for(Isa::neon).flash_f16);
    if (kernels.empty()) MESSAGE("skipped: this CPU has no vector flash attention kernel");
    return kernels;
}

// The reference loops and every vector kernel here.
std::vector<std::pair<const char*, FlashTileKernel>> all_kernels_here() {
    std::vector<std::pair<const char*, FlashTileKernel>> kernels = {{"reference", flash_tile_reference}};
    for (const auto& k : vector_kernels_here()) kernels.push_back(k);
    return kernels;
}

TEST_CASE("flash reference: within float roundings of softmax(q.k) v in double") {
    for (const int64_t n : {16, 64, 80, 256}) {
        for (const int n_keys : {1, 15, 16, 17, 100}) {
            for (const float spread : {0.1f, 1.0f, 8.0f}) {  // nearly flat to one dominant key
                const Problem p(n, 3, n_keys, spread, static_cast<uint32_t>(n * 131 + n_keys));
                CAPTURE(n);
                CAPTURE(n_keys);
                CAPTURE(spread);
                CHECK(normalised_error(p.run(flash_tile_reference, 0, p.queries), p.dense()) < float_bound(n, spread));
            }
        }
    }
}

TEST_CASE("flash vector kernel: within float roundings of the reference, any width, keys and queries") {
    for (const auto& [isa, kernel] : vector_kernels_here()) {
    REQUIRE((kernel != nullptr));
    CAPTURE(isa);
    for (const int64_t n : {16, 48, 64, 128, 256}) {
        for (const int n_keys : {1, 5, 16, 33, 130}) {
            for (const int queries : {1, 2, 3, 5, 8}) {
                for (const float spread : {0.1f, 1.0f, 8.0f}) {
                    const Problem p(n, queries, n_keys, spread, static_cast<uint32_t>(n + 7 * n_keys + 1000 * queries));
                    CAPTURE(n);
                    CAPTURE(n_keys);
                    CAPTURE(queries);
                    CAPTURE(spread);
                    CHECK(normalised_error(p.run(kernel, 0, queries), p.run(flash_tile_reference, 0, queries)) < float_bound(n, spread));
                }
            }
        }
    }
    }
}

TEST_CASE("flash kernels: a query vector's bits do not depend on the other queries of its call") {
    for (const auto& [isa, kernel] : all_kernels_here()) {
        CAPTURE(isa);
        const Problem p(64, 8, 70, 2.0f, 5);
        const std::vector<float> together = p.run(kernel, 0, p.queries);
        for (int i = 0; i < p.queries; ++i) {
            const std::vector<float> alone = p.run(kernel, i, 1);
            CAPTURE(i);
            CHECK(std::equal(alone.begin(), alone.end(), together.begin() + i * p.n));
        }
    }
}

TEST_CASE("flash kernels: keys a query may not see change nothing, even when they would dominate") {
    for (const auto& [isa, kernel] : all_kernels_here()) {
        CAPTURE(isa);
        Problem p(64, 2, 20, 1.0f, 9);
        p.last = {19, 18};  // the second query stops one key short, as the first row of a prompt pair
        const std::vector<float> before = p.run(kernel, 1, 1);
        for (int64_t d = 0; d < p.n; ++d) p.keys[19 * p.n + d] = f32_to_fp16(p.q[p.n + d] * 50.0f);
        CHECK(p.run(kernel, 1, 1) == before);
    }
}

}  // namespace
}  // namespace hearth::cpu
