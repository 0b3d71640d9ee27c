// The fast activation quantizers must write exactly the bytes of the reference quantize_row: on random
// rows, on rows built so that scaled values fall on exact halves (round-half-away for Q8_0 / Q8_1,
// half-to-even for Q8_K), on zero blocks, equal magnitudes of both signs, tiny and huge values, and
// rows with infinities and NaNs.
#include <doctest/doctest.h>

#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "backends/cpu/kernels/dot_kernels.h"
#include "core/quant/quant.h"

namespace hearth::cpu {
namespace {

constexpr DType kActTypes[] = {DType::Q8_0, DType::Q8_1, DType::Q8_K};

enum class RowKind { normal, ties, zeros_and_signs, extremes, non_finite };
constexpr RowKind kKinds[] = {RowKind::normal, RowKind::ties, RowKind::zeros_and_signs, RowKind::extremes,
                              RowKind::non_finite};

// A row of n floats of the given kind. Ties: the block's largest magnitude is 127 (so the scale is 1
// for Q8_0 and -127 / max = +-1 for Q8_K) and the other values are k + 0.5.
std::vector<float> make_row(RowKind kind, int64_t n, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::uniform_int_distribution<int> level(-127, 126);
    std::uniform_int_distribution<int> pick(0, 7);
    std::vector<float> v(static_cast<size_t>(n));
    for (size_t j = 0; j < v.size(); ++j) {
        float& x = v[j];
        switch (kind) {
            case RowKind::normal: x = normal(rng) * 3.0f; break;
            case RowKind::ties:
                x = j % 32 == 5 ? (pick(rng) < 4 ? 127.0f : -127.0f) : static_cast<float>(level(rng)) + 0.5f;
                break;
            case RowKind::zeros_and_signs: {
                const int p = pick(rng);
                x = p < 3 ? 0.0f : p == 3 ? -0.0f : p < 6 ? 2.5f : -2.5f;
                if ((j / 256) % 2 == 1) x = 0.0f;  // whole zero super-blocks
                break;
            }
            case RowKind::extremes: {
                const int p = pick(rng);
                x = normal(rng) * (p < 2 ? 1e-40f : p < 4 ? 1e-30f : p < 6 ? 1e30f : 60000.0f);
                break;
            }
            case RowKind::non_finite: {
                const int p = pick(rng);
                x = p == 0 ? std::numeric_limits<float>::infinity()
                  : p == 1 ? -std::numeric_limits<float>::quiet_NaN()
                           : normal(rng);
                break;
            }
        }
    }
    return v;
}

bool cpu_has_avx2() {
    if (detect_cpu_features().avx2) return true;
    MESSAGE("this CPU has no AVX2: activation quantizers not tested");
    return false;
}

// Every fast quantizer of an instruction set against quantize_row, byte for byte.
void check_quantizers(Isa isa, std::mt19937& rng) {
    const ActQuantizers quantizers = dot_kernels_for(isa).quantize;
    for (DType type : kActTypes) {
        const QuantizeRowKernel fast = quantizers.for_type(type);
        REQUIRE((fast != nullptr));
        for (int64_t n : {96, 256, 512, 864, 2816}) {  // 96, 864: blocks of 32 past the kernels' groups of 8 / 16
            if (n % dtype_info(type).block_elems != 0) continue;
            for (RowKind kind : kKinds) {
                for (int trial = 0; trial < 4; ++trial) {
                    const std::vector<float> row = make_row(kind, n, rng);
                    const uint64_t bytes = row_bytes(dtype_info(type), n);
                    std::vector<uint8_t> expected(bytes, 0xAB);
                    std::vector<uint8_t> got(bytes, 0xCD);
                    quantize_row(type, row.data(), expected.data(), n);
                    fast(row.data(), got.data(), n);
                    INFO(isa_name(isa), " ", dtype_info(type).name, " n=", n, " kind=", static_cast<int>(kind), " trial=", trial);
                    CHECK(std::memcmp(expected.data(), got.data(), bytes) == 0);
                }
            }
        }
    }
}

TEST_CASE("fast activation quantizers write the reference's bytes") {
    if (!cpu_has_avx2()) return;
    std::mt19937 rng(2024);
    check_quantizers(Isa::avx2, rng);
    if (detect_cpu_features().avx512 && detect_cpu_features().avx512_vnni) check_quantizers(Isa::avx512, rng);
    else MESSAGE("this CPU has no AVX-512 VNNI: the AVX-512 quantizers not tested");
}

TEST_CASE("activation quantizer tables: scalar has none, AVX2 covers the dot types only") {
    const ActQuantizers scalar = dot_kernels_for(Isa::scalar).quantize;
    for (DType type : kActTypes) CHECK((scalar.for_type(type) == nullptr));
    if (!cpu_has_avx2()) return;
    const ActQuantizers avx2 = dot_kernels_for(Isa::avx2).quantize;
    for (DType type : kActTypes) CHECK((avx2.for_type(type) != nullptr));
    CHECK((avx2.for_type(DType::F16) == nullptr));
    CHECK((avx2.for_type(DType::Q4_0) == nullptr));
}

}  // namespace
}  // namespace hearth::cpu
