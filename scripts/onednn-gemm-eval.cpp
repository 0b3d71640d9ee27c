// The oneDNN evaluation (docs/benchmarks.md, "oneDNN"): times oneDNN's int8 (u8 x s8 -> s32) and f32
// GEMMs on the matmul shapes of one llama-1b prompt of 512 tokens, the median of 5 runs each. A
// developer's measurement, not part of Hearth: run it with scripts/eval-onednn (needs libdnnl-dev).
#include <oneapi/dnnl/dnnl.h>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>
struct Shape { const char* name; int64_t out, in, per_layer; };
int main(int argc, char** argv) {
    const int64_t rows = 512, layers = 16;
    const Shape shapes[] = {{"attn_q / attn_output", 2048, 2048, 2}, {"attn_k / attn_v", 512, 2048, 2},
                            {"ffn_gate / ffn_up", 8192, 2048, 2}, {"ffn_down", 2048, 8192, 1}};
    std::mt19937 rng(1);
    double total_int8 = 0, total_f32 = 0, macs = 0;
    for (const Shape& s : shapes) {
        std::vector<uint8_t> a(rows * s.in);
        std::vector<int8_t> b(s.in * s.out);
        std::vector<int32_t> c(rows * s.out);
        std::vector<float> af(rows * s.in), bf(s.in * s.out), cf(rows * s.out);
        for (auto& x : a) x = rng() % 256;
        for (auto& x : b) x = static_cast<int8_t>(rng() % 64);
        for (auto& x : af) x = (rng() % 1000) / 1000.0f;
        for (auto& x : bf) x = (rng() % 1000) / 1000.0f;
        int32_t co = 0;
        auto time = [&](auto&& fn) {
            fn();
            std::vector<double> t;
            for (int r = 0; r < 5; ++r) {
                auto t0 = std::chrono::steady_clock::now();
                fn();
                t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
            }
            std::sort(t.begin(), t.end());
            return t[2];
        };
        // C (rows x out) = A (rows x in) * B (in x out): weights as B, row-major.
        const double ti = time([&] {
            dnnl_gemm_u8s8s32('N', 'N', 'F', rows, s.out, s.in, 1.0f, a.data(), s.in, 0, b.data(), s.out, 0, 0.0f,
                              c.data(), s.out, &co);
        });
        const double tf = time([&] {
            dnnl_sgemm('N', 'N', rows, s.out, s.in, 1.0f, af.data(), s.in, bf.data(), s.out, 0.0f, cf.data(), s.out);
        });
        const double m = double(rows) * s.out * s.in;
        std::printf("%-22s %5lld x %5lld: int8 %7.2f ms (%6.1f G MAC/s), f32 %7.2f ms (%6.1f G MAC/s)\n", s.name,
                    (long long)s.out, (long long)s.in, ti * 1e3, m / ti / 1e9, tf * 1e3, m / tf / 1e9);
        total_int8 += ti * s.per_layer * layers;
        total_f32 += tf * s.per_layer * layers;
        macs += m * s.per_layer * layers;
    }
    std::printf("one pp512 pass of llama-1b's layer matmuls: int8 %.0f ms (%.1f G MAC/s), f32 %.0f ms\n", total_int8 * 1e3,
                macs / total_int8 / 1e9, total_f32 * 1e3);
}
