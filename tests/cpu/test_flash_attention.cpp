// The flash attention step (kernels/flash_attention.h), for F16 and Q8_0 rows: the reference loops
// against softmax(q.k) v in double, the vector kernels against the reference over several tiles (the
// running maximum rising and not), odd head widths and key counts, partly visible tiles; a query
// vector's bits do not depend on the other query vectors of its call.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "backends/cpu/kernels/fast_math.h"
#include "backends/cpu/kernels/flash_attention.h"
#include "core/quant/half.h"
#include "core/quant/quant.h"

namespace hearth::cpu {
namespace {

// Query vectors against a run of keys in tiles, as ops_attention.cpp drives the step: query i sees
// keys [0, last[i]]. Queries hold f16 values (the callers round them) times `spread`.
struct Problem {
    int64_t n = 64;
    int queries = 3;
    int n_keys = 40;
    DType type = DType::F16;  // of the key and value rows
    int64_t row = 0;          // bytes per row
    std::vector<float> q;
    std::vector<uint8_t> keys, values;  // n_keys rows of n values
    std::vector<int32_t> last;

    Problem(int64_t width, int query_count, int key_count, float spread, uint32_t seed, DType rows = DType::F16)
        : n(width), queries(query_count), n_keys(key_count), type(rows), row(static_cast<int64_t>(row_bytes(dtype_info(rows), width))) {
        std::mt19937 rng(seed);
        std::normal_distribution<float> normal(0.0f, 1.0f);
        q.resize(static_cast<size_t>(queries * n));
        for (float& x : q) x = fp16_to_f32(f32_to_fp16(normal(rng) * spread));
        keys.resize(static_cast<size_t>(n_keys * row));
        values.resize(keys.size());
        std::vector<float> line(static_cast<size_t>(n));
        for (std::vector<uint8_t>* rows_of : {&keys, &values})
            for (int j = 0; j < n_keys; ++j) {
                for (float& x : line) x = normal(rng);
                quantize_row(type, line.data(), rows_of->data() + j * row, n);
            }
        std::uniform_int_distribution<int> pick(0, n_keys - 1);
        for (int i = 0; i < queries; ++i) last.push_back(i == 0 ? n_keys - 1 : pick(rng));
    }

    std::vector<float> dequantized(const std::vector<uint8_t>& rows_of) const {
        std::vector<float> out(static_cast<size_t>(n_keys * n));
        for (int j = 0; j < n_keys; ++j) dequantize_row(type, rows_of.data() + j * row, out.data() + j * n, n);
        return out;
    }

    // Every query vector's output through `tile`, queries [q0, q0 + count) in one call per tile.
    std::vector<float> run(FlashTileKernel tile, int q0, int count) const {
        std::vector<float> acc(static_cast<size_t>(count * n)), out(static_cast<size_t>(count * n));
        FlashState state;
        state.acc = acc.data();
        flash_start(state, count, n);
        for (int j = 0; j < n_keys; j += kFlashTileKeys) {
            const int tile_keys = std::min(kFlashTileKeys, n_keys - j);
            const uint8_t* k[kFlashTileKeys];
            const uint8_t* v[kFlashTileKeys];
            for (int i = 0; i < tile_keys; ++i) {
                k[i] = keys.data() + (j + i) * row;
                v[i] = values.data() + (j + i) * row;
            }
            int32_t visible[kFlashMaxQueries];
            for (int i = 0; i < count; ++i) visible[i] = last[q0 + i] - j + 1;
            tile(q.data() + q0 * n, n, count, visible, k, v, tile_keys, n, 0.125f, state);
        }
        for (int i = 0; i < count; ++i) flash_finish(state, i, n, out.data() + i * n);
        return out;
    }

    std::vector<float> dense() const {
        const std::vector<float> key = dequantized(keys), value = dequantized(values);
        std::vector<float> out(static_cast<size_t>(queries * n));
        for (int i = 0; i < queries; ++i) {
            std::vector<double> w(static_cast<size_t>(last[i] + 1));
            for (int j = 0; j <= last[i]; ++j) {
                double dot = 0.0;
                for (int64_t d = 0; d < n; ++d) dot += static_cast<double>(q[i * n + d]) * key[j * n + d];
                w[j] = dot * 0.125;
            }
            const double top = *std::max_element(w.begin(), w.end());
            double sum = 0.0;
            for (double& x : w) sum += (x = std::exp(x - top));
            for (int64_t d = 0; d < n; ++d) {
                double acc = 0.0;
                for (int j = 0; j <= last[i]; ++j) acc += w[j] / sum * value[j * n + d];
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

struct NamedKernel {
    const char* name;
    FlashTileKernel kernel;
};

// The vector kernels this CPU can run for rows of `type`, with their instruction sets' names.
std::vector<NamedKernel> vector_kernels_here(DType type) {
    const CpuFeatures cpu = detect_cpu_features();
    std::vector<NamedKernel> kernels;
    const auto add = [&](const char* name, Isa isa) {
        const FastMathKernels k = fast_math_kernels_for(isa);
        kernels.push_back({name, type == DType::F16 ? k.flash_f16 : k.flash_q8_0});
    };
    if (cpu.avx2) add("avx2", Isa::avx2);
    if (cpu.avx512) add("avx512", Isa::avx512);
    if (cpu.neon_dotprod) add("neon", Isa::neon);
    if (kernels.empty()) MESSAGE("skipped: this CPU has no vector flash attention kernel");
    return kernels;
}

FlashTileKernel reference_for(DType type) {
    return type == DType::F16 ? flash_tile_reference<DType::F16> : flash_tile_reference<DType::Q8_0>;
}

// The reference loops and every vector kernel here.
std::vector<NamedKernel> all_kernels_here(DType type) {
    std::vector<NamedKernel> kernels = {{"reference", reference_for(type)}};
    for (const NamedKernel& k : vector_kernels_here(type)) kernels.push_back(k);
    return kernels;
}

// Head widths each row type allows (Q8_0: whole blocks of 32).
std::vector<int64_t> widths(DType type) {
    return type == DType::F16 ? std::vector<int64_t>{16, 48, 64, 80, 256} : std::vector<int64_t>{32, 64, 96, 256};
}

constexpr DType kRowTypes[] = {DType::F16, DType::Q8_0};

TEST_CASE("flash reference: within float roundings of softmax(q.k) v in double") {
    for (const DType type : kRowTypes) {
        for (const int64_t n : widths(type)) {
            for (const int n_keys : {1, 15, 16, 17, 100}) {
                for (const float spread : {0.1f, 1.0f, 8.0f}) {  // nearly flat to one dominant key
                    const Problem p(n, 3, n_keys, spread, static_cast<uint32_t>(n * 131 + n_keys), type);
                    CAPTURE(dtype_info(type).name);
                    CAPTURE(n);
                    CAPTURE(n_keys);
                    CAPTURE(spread);
                    CHECK(normalised_error(p.run(reference_for(type), 0, p.queries), p.dense()) < float_bound(n, spread));
                }
            }
        }
    }
}

TEST_CASE("flash vector kernels: within float roundings of the reference, any width, keys and queries") {
    for (const DType type : kRowTypes) {
        for (const auto& [isa, kernel] : vector_kernels_here(type)) {
            REQUIRE((kernel != nullptr));
            CAPTURE(isa);
            CAPTURE(dtype_info(type).name);
            for (const int64_t n : widths(type)) {
                for (const int n_keys : {1, 5, 16, 33, 130}) {
                    for (const int queries : {1, 2, 3, 5, 8, 13, kFlashMaxQueries}) {
                        for (const float spread : {0.1f, 1.0f, 8.0f}) {
                            const Problem p(n, queries, n_keys, spread, static_cast<uint32_t>(n + 7 * n_keys + 1000 * queries), type);
                            CAPTURE(n);
                            CAPTURE(n_keys);
                            CAPTURE(queries);
                            CAPTURE(spread);
                            CHECK(normalised_error(p.run(kernel, 0, queries), p.run(reference_for(type), 0, queries)) <
                                  float_bound(n, spread));
                        }
                    }
                }
            }
        }
    }
}

TEST_CASE("flash kernels: a query vector's bits do not depend on the other queries of its call") {
    for (const DType type : kRowTypes) {
        for (const auto& [isa, kernel] : all_kernels_here(type)) {
            CAPTURE(isa);
            CAPTURE(dtype_info(type).name);
            // Three groups of the vector kernels (8, 8 and 4 query vectors); where a group's queries
            // all stop before the last tile, the kernels skip it.
            const Problem p(64, 20, 70, 2.0f, 5, type);
            const std::vector<float> together = p.run(kernel, 0, p.queries);
            for (int i = 0; i < p.queries; ++i) {
                const std::vector<float> alone = p.run(kernel, i, 1);
                CAPTURE(i);
                CHECK(std::equal(alone.begin(), alone.end(), together.begin() + i * p.n));
            }
        }
    }
}

TEST_CASE("flash kernels: keys a query may not see change nothing, even when they would dominate") {
    for (const DType type : kRowTypes) {
        for (const auto& [isa, kernel] : all_kernels_here(type)) {
            CAPTURE(isa);
            CAPTURE(dtype_info(type).name);
            Problem p(64, 2, 20, 1.0f, 9, type);
            p.last = {19, 18};  // the second query stops one key short, as the first row of a prompt pair
            const std::vector<float> before = p.run(kernel, 1, 1);
            std::vector<float> dominant(p.q.begin() + p.n, p.q.begin() + 2 * p.n);
            for (float& x : dominant) x *= 50.0f;
            quantize_row(type, dominant.data(), p.keys.data() + 19 * p.row, p.n);
            CHECK(p.run(kernel, 1, 1) == before);
        }
    }
}

}  // namespace
}  // namespace hearth::cpu
