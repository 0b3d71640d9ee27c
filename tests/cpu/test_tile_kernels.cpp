// Tile kernels (several weight rows x several activation rows at once) must give every output exactly
// (bit for bit) the reference vec_dot's float, for every tile shape, and CpuBackend::matmul, which
// tiles over rows and batch, must equal the per-row reference for any batch size.
#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <random>
#include <span>
#include <string_view>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/kernels/dot_kernels.h"
#include "core/quant/blocks.h"
#include "core/quant/half.h"
#include "core/quant/quant.h"
#include "tests/cpu/isa_requests.h"

namespace hearth::cpu {
namespace {

constexpr DType kQuantTypes[] = {DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q8_0,
                                 DType::Q4_K, DType::Q5_K, DType::Q6_K};
constexpr DType kLegacyTypes[] = {DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q8_0};
constexpr DType kKTypes[] = {DType::Q4_K, DType::Q5_K, DType::Q6_K};  // the types with x86 tile kernels

// Row lengths in blocks: for the K types 256, 512 and 2816 elements (an FFN width of small models).
std::vector<int64_t> block_counts(DType type) {
    if (dtype_info(type).block_elems == 256) return {1, 2, 11};
    return {1, 2, 3, 7, 13};  // odd counts leave a single block after pairs of blocks
}

bool same_bits(float a, float b) { return std::bit_cast<uint32_t>(a) == std::bit_cast<uint32_t>(b); }

// Row r of a mix of value kinds: normal, outliers, all zeros, sparse large values.
std::vector<float> mixed_floats(int kind, int64_t n, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
    std::vector<float> v(static_cast<size_t>(n));
    for (float& x : v) {
        switch (kind % 4) {
            case 0: x = normal(rng); break;
            case 1: x = normal(rng) * (uniform(rng) > 0.97f ? 1000.0f : 0.01f); break;
            case 2: x = 0.0f; break;
            default: x = uniform(rng) > 0.8f ? 50.0f * normal(rng) : 0.0f; break;
        }
    }
    return v;
}

// Offsets of the scale fields inside one block, which must hold finite values: fp16 halves, and for
// Q8_K one float.
struct ScaleFields {
    std::vector<uint64_t> halves;
    std::vector<uint64_t> floats;
};

ScaleFields scale_fields(DType type) {
    switch (type) {
        case DType::Q4_1: case DType::Q5_1: case DType::Q8_1: case DType::Q4_K: case DType::Q5_K: return {{0, 2}, {}};
        case DType::Q6_K: return {{208}, {}};
        case DType::Q8_K: return {{}, {0}};
        default: return {{0}, {}};
    }
}

// Uniformly random block bytes (every quant pattern, -128 included, any bsums) with finite scales.
void randomize_blocks(DType type, uint8_t* bytes, uint64_t size, std::mt19937& rng) {
    std::uniform_int_distribution<int> byte(0, 255);
    for (uint64_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(byte(rng));
    std::uniform_real_distribution<float> scale(-4.0f, 4.0f);
    const ScaleFields fields = scale_fields(type);
    const uint64_t block = dtype_info(type).block_bytes;
    for (uint64_t b = 0; b < size; b += block) {
        for (uint64_t off : fields.halves) {
            const uint16_t h = f32_to_fp16(scale(rng));
            std::memcpy(bytes + b + off, &h, sizeof(h));
        }
        for (uint64_t off : fields.floats) {
            const float f = scale(rng) * 0.01f;
            std::memcpy(bytes + b + off, &f, sizeof(f));
        }
    }
}

// `count` rows of `type`, n elements each, quantized from mixed floats or (arbitrary) random bytes.
enum class Fill { quantized, arbitrary };

std::vector<uint8_t> make_rows(DType type, int64_t count, int64_t n, Fill fill, std::mt19937& rng) {
    const uint64_t stride = row_bytes(dtype_info(type), n);
    std::vector<uint8_t> rows(stride * static_cast<uint64_t>(count));
    for (int64_t r = 0; r < count; ++r) {
        uint8_t* row = rows.data() + stride * static_cast<uint64_t>(r);
        if (fill == Fill::arbitrary) randomize_blocks(type, row, stride, rng);
        else quantize_row(type, mixed_floats(static_cast<int>(r), n, rng).data(), row, n);
    }
    return rows;
}

// `rows` activation rows of n mixed floats each, one after another.
std::vector<float> mixed_rows(int64_t rows, int64_t n, std::mt19937& rng) {
    std::vector<float> x;
    for (int64_t r = 0; r < rows; ++r) {
        const auto row = mixed_floats(static_cast<int>(r), n, rng);
        x.insert(x.end(), row.begin(), row.end());
    }
    return x;
}

// A matrix of out_rows x in elements of `type` (bytes in the file's layout) uploaded under `name`.
Weight upload_matrix(CpuBackend& backend, const char* name, DType type, int64_t in, int64_t out_rows,
                     std::vector<uint8_t>& bytes) {
    gguf::TensorInfo tensor;
    tensor.name = name;
    tensor.type = type;
    tensor.shape = {in, out_rows};
    tensor.nbytes = bytes.size();
    tensor.data = bytes.data();
    return backend.upload(tensor);
}

// Runs one tile of the given shape and counts outputs that differ from vec_dot in any bit.
int tile_mismatches(TileKernel tile, DType type, int64_t nblocks, TileShape shape, Fill fill, std::mt19937& rng) {
    const DType act = vec_dot_type(type);
    const int64_t n = nblocks * dtype_info(type).block_elems;
    const auto w = make_rows(type, shape.weight_rows, n, fill, rng);
    const auto a = make_rows(act, shape.act_rows, n, fill, rng);
    const uint64_t w_stride = row_bytes(dtype_info(type), n);
    const uint64_t a_stride = row_bytes(dtype_info(act), n);
    const int64_t out_stride = shape.weight_rows + 3;  // padding must stay untouched
    std::vector<float> out(static_cast<size_t>(out_stride * shape.act_rows), -7.0f);
    tile({w.data(), w_stride, a.data(), a_stride, nblocks, out.data(), out_stride}, shape);
    int bad = 0;
    for (int j = 0; j < shape.act_rows; ++j) {
        for (int i = 0; i < out_stride; ++i) {
            const float got = out[static_cast<size_t>(j * out_stride + i)];
            const float expected = i < shape.weight_rows
                ? vec_dot(type, w.data() + w_stride * static_cast<uint64_t>(i), a.data() + a_stride * static_cast<uint64_t>(j), n)
                : -7.0f;
            if (!same_bits(got, expected)) ++bad;
        }
    }
    return bad;
}

bool cpu_has_avx2() {
    if (detect_cpu_features().avx2) return true;
    MESSAGE("this CPU has no AVX2: tile kernels not tested");
    return false;
}

// Every tile shape of `types` in one instruction set's table, on quantized and arbitrary blocks.
void check_every_tile_shape(Isa isa, std::span<const DType> types) {
    const DotKernels kernels = dot_kernels_for(isa);
    std::mt19937 rng(4321);
    for (DType type : types) {
        const TileKernel tile = kernels.tiles.for_type(type);
        REQUIRE((tile != nullptr));
        for (int64_t blocks : block_counts(type)) {
            for (int cols = 1; cols <= kTileMaxActRows; ++cols) {
                for (int rows = 1; rows * cols <= kTileMaxOutputs; ++rows) {
                    for (Fill fill : {Fill::quantized, Fill::arbitrary}) {
                        INFO(isa_name(isa), " ", dtype_info(type).name, " blocks=", blocks, " rows=", rows,
                             " cols=", cols, " arbitrary=", fill == Fill::arbitrary);
                        CHECK(tile_mismatches(tile, type, blocks, {rows, cols}, fill, rng) == 0);
                    }
                }
            }
        }
    }
}

// Every decode kernel of one instruction set's table, for 1..8 weight rows and 1..3 activation rows.
void check_every_decode_shape(Isa isa) {
    const DotKernels kernels = dot_kernels_for(isa);
    std::mt19937 rng(8642);
    for (DType type : kQuantTypes) {
        const TileKernel decode = kernels.decode.for_type(type);
        if (decode == nullptr) continue;
        for (int64_t blocks : block_counts(type)) {
            for (int rows = 1; rows <= kTileMaxOutputs; ++rows) {
                for (int cols = 1; cols <= kDecodeMaxActRows; ++cols) {
                    for (Fill fill : {Fill::quantized, Fill::arbitrary}) {
                        INFO(isa_name(isa), " decode ", dtype_info(type).name, " blocks=", blocks, " rows=", rows,
                             " cols=", cols, " arbitrary=", fill == Fill::arbitrary);
                        CHECK(tile_mismatches(decode, type, blocks, {rows, cols}, fill, rng) == 0);
                    }
                }
            }
        }
    }
}

TEST_CASE("decode kernels equal the reference bit for bit for every shape") {
#if defined(__aarch64__)
    if (detect_cpu_features().neon_dotprod) check_every_decode_shape(Isa::neon);
#else
    if (!cpu_has_avx2()) return;
    check_every_decode_shape(Isa::avx2);
    if (detect_cpu_features().avx512) check_every_decode_shape(Isa::avx512);
#endif
}

TEST_CASE("vector K-type activation descriptions equal the portable ones byte for byte") {
    std::mt19937 rng(61);
    for (Isa isa : {Isa::avx2, Isa::avx512}) {
        if (isa == Isa::avx2 ? !cpu_has_avx2() : !detect_cpu_features().avx512) continue;
        const DescribeKKernel describe_k = dot_kernels_for(isa).describe_k;
        REQUIRE((describe_k != nullptr));
        const int64_t rows = 3, nblocks = 5, n = nblocks * 256;
        const auto acts = make_rows(DType::Q8_K, rows, n, Fill::quantized, rng);
        const uint64_t stride = row_bytes(dtype_info(DType::Q8_K), n);
        for (DType type : {DType::Q4_K, DType::Q5_K, DType::Q6_K}) {
            for (KActForm form : {KActForm::lanes, KActForm::lanes_plus128, KActForm::paired_plus128}) {
                std::vector<GemmKActBlock> portable(rows * nblocks), fast(rows * nblocks);
                describe_act_blocks(type, acts.data(), stride, rows, nblocks, portable.data(), form);
                describe_k(acts.data(), stride, rows, nblocks, form, fast.data());
                INFO(isa_name(isa), " ", dtype_info(type).name, " form=", static_cast<int>(form));
                CHECK(std::memcmp(portable.data(), fast.data(), portable.size() * sizeof(GemmKActBlock)) == 0);
            }
        }
    }
}

// Runs a GEMM kernel over one panel and counts outputs that differ from vec_dot in any bit.
int gemm_mismatches(GemmKernel gemm, DType type, int64_t nblocks, int weight_rows, int64_t act_rows, Fill fill,
                    std::mt19937& rng) {
    const DType act = vec_dot_type(type);
    const int64_t n = nblocks * dtype_info(type).block_elems;
    const auto w = make_rows(type, weight_rows, n, fill, rng);
    auto a = make_rows(act, act_rows, n, Fill::quantized, rng);  // activations always come from the quantizer
    const uint64_t w_stride = row_bytes(dtype_info(type), n);
    const uint64_t a_stride = row_bytes(dtype_info(act), n);
    std::vector<uint8_t> blocks(gemm_act_block_bytes(type) * static_cast<uint64_t>(act_rows * nblocks));
    describe_act_blocks(type, a.data(), a_stride, act_rows, nblocks, blocks.data(), exact_k_act_form(type));
    std::vector<uint8_t> panel(gemm_panel_bytes(type, nblocks) + 64);
    auto* aligned = panel.data() + (64 - reinterpret_cast<uintptr_t>(panel.data()) % 64) % 64;
    const int64_t out_stride = weight_rows + 3;  // padding must stay untouched
    std::vector<float> out(static_cast<size_t>(out_stride * act_rows), -7.0f);
    gemm({w.data(), w_stride, weight_rows, a.data(), a_stride, blocks.data(), act_rows, nblocks, out.data(),
          out_stride, aligned});
    int bad = 0;
    for (int64_t j = 0; j < act_rows; ++j) {
        for (int64_t i = 0; i < out_stride; ++i) {
            const float got = out[static_cast<size_t>(j * out_stride + i)];
            const float expected = i < weight_rows
                ? vec_dot(type, w.data() + w_stride * static_cast<uint64_t>(i), a.data() + a_stride * static_cast<uint64_t>(j), n)
                : -7.0f;
            if (!same_bits(got, expected)) ++bad;
        }
    }
    return bad;
}

// Every GEMM kernel of one instruction set's table over panels of 1..16 rows and several batches.
void check_every_gemm(Isa isa) {
    const DotKernels kernels = dot_kernels_for(isa);
    std::mt19937 rng(9753);
    for (DType type : kQuantTypes) {
        const GemmKernel gemm = kernels.gemm.for_type(type);
        if (gemm == nullptr) continue;
        for (int64_t blocks : block_counts(type)) {
            for (int rows : {1, 5, 8, 9, 15, 16}) {
                for (int64_t act_rows : {1, 3, 7, 8, 19}) {
                    for (Fill fill : {Fill::quantized, Fill::arbitrary}) {
                        INFO(isa_name(isa), " gemm ", dtype_info(type).name, " blocks=", blocks, " rows=", rows,
                             " act_rows=", act_rows, " arbitrary=", fill == Fill::arbitrary);
                        CHECK(gemm_mismatches(gemm, type, blocks, rows, act_rows, fill, rng) == 0);
                    }
                }
            }
        }
    }
}

TEST_CASE("GEMM kernels equal the reference bit for bit for any panel and batch") {
    if (!cpu_has_avx2()) return;
    check_every_gemm(Isa::avx2);
    if (detect_cpu_features().avx512) check_every_gemm(Isa::avx512);
}

// The blockwise K kernels called directly on a call of two panels (32 rows, repacked), for one to
// three activation rows (no scratch, activations in lane order) and for batches (scratch, the
// kernel's blockwise_batch_form): every output equals vec_dot_blockwise bit for bit.
TEST_CASE("blockwise K kernels over a call of two panels equal the reference") {
    std::mt19937 rng(83);
    for (Isa isa : {Isa::avx2, Isa::avx512}) {
        if (isa == Isa::avx2 ? !cpu_has_avx2() : !detect_cpu_features().avx512) continue;
        const DotKernels kernels = dot_kernels_for(isa);
        for (DType type : {DType::Q4_K, DType::Q5_K, DType::Q6_K}) {
            const PanelKernel& panel_kernel = kernels.panels.for_type(type);
            if (panel_kernel.blockwise == nullptr) continue;
            const int64_t nblocks = 3, n = 256 * nblocks, rows = 2 * kGemmPanelRows;
            const auto w = make_rows(type, rows, n, Fill::arbitrary, rng);
            const uint64_t w_stride = row_bytes(dtype_info(type), n);
            std::vector<uint8_t> repacked(w.size());
            panel_kernel.repack(w.data(), rows, nblocks, repacked.data());
            for (int64_t act_rows : {1, 3, 5}) {
                const bool batch = act_rows >= 4;
                const auto a = make_rows(DType::Q8_K, act_rows, n, Fill::quantized, rng);
                const uint64_t a_stride = row_bytes(dtype_info(DType::Q8_K), n);
                std::vector<uint8_t> blocks(gemm_act_block_bytes(type) * static_cast<uint64_t>(act_rows * nblocks));
                describe_act_blocks(type, a.data(), a_stride, act_rows, nblocks, blocks.data(),
                                    batch ? panel_kernel.blockwise_batch_form : KActForm::lanes);
                std::vector<uint8_t> scratch(gemm_panel_bytes(type, nblocks) + 64);
                uint8_t* aligned = scratch.data() + (64 - reinterpret_cast<uintptr_t>(scratch.data()) % 64) % 64;
                std::vector<float> out(static_cast<size_t>(rows * act_rows), -7.0f);
                panel_kernel.blockwise({repacked.data(), w_stride, static_cast<int>(rows), a.data(), a_stride, blocks.data(), act_rows,
                                        nblocks, out.data(), rows, batch ? aligned : nullptr});
                int bad = 0;
                for (int64_t c = 0; c < act_rows; ++c)
                    for (int64_t r = 0; r < rows; ++r) {
                        const float expected = vec_dot_blockwise(type, w.data() + w_stride * static_cast<uint64_t>(r),
                                                                 a.data() + a_stride * static_cast<uint64_t>(c), n);
                        if (!same_bits(out[static_cast<size_t>(c * rows + r)], expected)) ++bad;
                    }
                INFO(isa_name(isa), " ", dtype_info(type).name, " act_rows=", act_rows);
                CHECK(bad == 0);
            }
        }
    }
}

// Runs matmul of `batch` mixed activation rows over w (whose file-layout bytes are `bytes`) and
// counts the outputs that differ in any bit from vec_dot of the file's rows, or with `blockwise` from
// vec_dot_blockwise.
int matmul_mismatches(CpuBackend& backend, const Weight& w, const std::vector<uint8_t>& bytes, std::vector<float> x,
                      bool blockwise) {
    const DType act = vec_dot_type(w.type);
    const int64_t batch = static_cast<int64_t>(x.size()) / w.in;
    std::vector<float> y(static_cast<size_t>(batch * w.out));
    backend.matmul(w, Tensor{x.data(), batch, w.in}, Tensor{y.data(), batch, w.out});
    std::vector<uint8_t> q(row_bytes(dtype_info(act), w.in));
    int bad = 0;
    for (int64_t r = 0; r < batch; ++r) {
        quantize_row(act, x.data() + r * w.in, q.data(), w.in);
        for (int64_t o = 0; o < w.out; ++o) {
            const uint8_t* row = bytes.data() + row_bytes(dtype_info(w.type), w.in) * static_cast<uint64_t>(o);
            const float expected = blockwise ? vec_dot_blockwise(w.type, row, q.data(), w.in) : vec_dot(w.type, row, q.data(), w.in);
            if (!same_bits(y[static_cast<size_t>(r * w.out + o)], expected)) ++bad;
        }
    }
    return bad;
}

// Whether matmul over w computes vec_dot_blockwise rather than vec_dot: the K types in the default
// arithmetic, in panels where the instruction set has blockwise panel kernels, in the file's layout
// where it has blockwise dots (NEON).
bool computes_blockwise(const CpuBackend& backend, const Weight& w, bool exact) {
    if (exact) return false;
    const DotKernels kernels = dot_kernels_for(backend.isa());
    return w.layout == kPanelLayout ? kernels.panels.for_type(w.type).blockwise != nullptr : kernels.blockwise.for_type(w.type) != nullptr;
}

// The panel layout: a weight uploaded through the backend is repacked exactly when its type has a
// panel kernel (not the embedding table, not a row count off the panel size), and matmul over it
// equals vec_dot on the file's rows for every batch (K-type panels: vec_dot_blockwise, the default
// arithmetic, where the instruction set has blockwise kernels).
TEST_CASE("weights repacked at load: matmul equals the reference, and only matrices that can be are") {
    for (IsaRequest isa : isa_requests_here()) {
        CpuBackend backend(CpuOptions{.n_threads = 2, .isa = isa});
        std::mt19937 rng(31);
        for (DType type : {DType::Q4_0, DType::Q4_1, DType::Q8_0, DType::Q5_0, DType::Q5_1, DType::Q4_K, DType::Q5_K, DType::Q6_K}) {
            const int64_t in = dtype_info(type).block_elems * (dtype_info(type).block_elems == 32 ? 9 : 3);
            const bool has_panels = dot_kernels_for(backend.isa()).panels.for_type(type).gemm != nullptr;
            for (int64_t out_rows : {48, 40}) {
                for (const char* name : {"blk.0.ffn_up.weight", "token_embd.weight"}) {
                    for (Fill fill : {Fill::quantized, Fill::arbitrary}) {
                        auto bytes = make_rows(type, out_rows, in, fill, rng);
                        const Weight w = upload_matrix(backend, name, type, in, out_rows, bytes);
                        const bool expect_panels = has_panels && out_rows % kGemmPanelRows == 0 &&
                                                   std::string_view(name) != "token_embd.weight";
                        INFO(isa_name(backend.isa()), " ", dtype_info(type).name, " ", std::string_view(name), " rows=", out_rows);
                        CHECK((w.layout == kPanelLayout) == expect_panels);
                        const bool blockwise = computes_blockwise(backend, w, false);
                        for (int64_t batch : {1, 2, 3, 5, 8, 11}) {
                            CAPTURE(batch);
                            CHECK(matmul_mismatches(backend, w, bytes, mixed_rows(batch, w.in, rng), blockwise) == 0);
                        }
                    }
                }
            }
        }
    }
}

// Matmuls over K-type panels take the blockwise kernels where the instruction set has them (NEON: the
// file's layout, blockwise dots), unless CpuOptions::exact: every output then equals
// vec_dot_blockwise, else vec_dot, bit for bit, at every
// batch size (1-3 rows straight from the layout, batches over expanded panels). Row lengths of 1 and
// 5 super-blocks leave a partial chunk; 41 rows a partial row group; 48 rows three panels, so a
// call of two panels and a last call of one.
// Every instruction set here in both arithmetics, each K type, rows of 1 and 5 super-blocks (a
// partial chunk): run(backend, exact, type, nblocks, rng) on a backend and generator per arithmetic.
template <class Case>
void for_k_prompt_cases(uint32_t seed, const Case& run) {
    for (IsaRequest isa : isa_requests_here()) {
        for (bool exact : {false, true}) {
            CpuBackend backend(CpuOptions{.n_threads = 2, .isa = isa, .exact = exact});
            std::mt19937 rng(seed);
            for (DType type : {DType::Q4_K, DType::Q5_K, DType::Q6_K})
                for (int64_t nblocks : {1, 5}) run(backend, exact, type, nblocks, rng);
        }
    }
}

TEST_CASE("K-type panels: blockwise arithmetic at every batch size by default, ggml's when exact") {
    for_k_prompt_cases(53, [](CpuBackend& backend, bool exact, DType type, int64_t nblocks, std::mt19937& rng) {
        const int64_t in = 256 * nblocks, out_rows = 48;
        for (Fill fill : {Fill::quantized, Fill::arbitrary}) {
            auto bytes = make_rows(type, out_rows, in, fill, rng);
            const Weight w = upload_matrix(backend, "blk.0.ffn_down.weight", type, in, out_rows, bytes);
            const bool blockwise = computes_blockwise(backend, w, exact);
            for (int64_t batch : {1, 2, 3, 4, 7, 32, 41}) {
                INFO(isa_name(backend.isa()), " ", dtype_info(type).name, " exact=", exact, " blocks=", nblocks, " batch=", batch);
                CHECK(matmul_mismatches(backend, w, bytes, mixed_rows(batch, w.in, rng), blockwise) == 0);
            }
        }
    });
}

// Weights whose every quant and scale is the largest (Q6_K scales 127 and -128) against activation
// quants all -128 (inputs all -1) or all but one per block 127 (inputs 1 and, first in each block,
// -1.0001): the kernels' int16 sums must not overflow.
TEST_CASE("K-type panels at the extremes of their quants and scales") {
    for_k_prompt_cases(71, [](CpuBackend& backend, bool exact, DType type, int64_t nblocks, std::mt19937&) {
        const int64_t in = 256 * nblocks, out_rows = 32;
        const uint64_t stride = row_bytes(dtype_info(type), in), block_bytes = stride / static_cast<uint64_t>(nblocks);
        for (uint8_t q6_scale : {0x7F, 0x80}) {
            std::vector<uint8_t> bytes(stride * out_rows, 0xFF);
            for (uint64_t b = 0; b < bytes.size(); b += block_bytes) {
                uint8_t* block = bytes.data() + b;
                const uint16_t one = 0x3C00;  // d (and dmin) 1.0
                if (type == DType::Q6_K) {
                    std::memset(block + offsetof(hearth::BlockQ6_K, scales), q6_scale, sizeof(hearth::BlockQ6_K::scales));
                    std::memcpy(block + offsetof(hearth::BlockQ6_K, d), &one, 2);
                } else {
                    std::memcpy(block, &one, 2);
                    std::memcpy(block + 2, &one, 2);
                }
            }
            const Weight w = upload_matrix(backend, "blk.0.ffn_down.weight", type, in, out_rows, bytes);
            const bool blockwise = computes_blockwise(backend, w, exact);
            for (float sign : {-1.0f, 1.0f}) {
                for (int64_t batch : {1, 5, 32}) {
                    std::vector<float> x(static_cast<size_t>(batch * in), sign);
                    if (sign > 0)
                        for (size_t i = 0; i < x.size(); i += 256) x[i] = -1.0001f;
                    INFO(isa_name(backend.isa()), " ", dtype_info(type).name, " exact=", exact, " blocks=", nblocks,
                         " batch=", batch, " sign=", sign, " q6 scale=", int{q6_scale});
                    CHECK(matmul_mismatches(backend, w, bytes, x, blockwise) == 0);
                }
            }
        }
    });
}

// Legacy weights whose every quant is the largest (the 4- and 5-bit types unsigned 15 and 31) against
// activation quants all 127 or all -127 (inputs all 1 or -1): the panel kernels' int16 sums of
// several groups must not overflow, for one to three rows (straight from the layout) and batches.
TEST_CASE("legacy-type matmuls at the extremes of their quants") {
    for (IsaRequest isa : isa_requests_here()) {
        CpuBackend backend(CpuOptions{.n_threads = 2, .isa = isa});
        for (DType type : kLegacyTypes) {
            const int64_t in = 32 * 9, out_rows = 32;
            const uint64_t block_bytes = dtype_info(type).block_bytes;
            std::vector<uint8_t> bytes(row_bytes(dtype_info(type), in) * out_rows, 0xFF);
            const uint16_t one = 0x3C00;  // d (and m) 1.0
            for (uint64_t b = 0; b < bytes.size(); b += block_bytes) {
                std::memcpy(bytes.data() + b, &one, 2);
                if (type == DType::Q4_1 || type == DType::Q5_1) std::memcpy(bytes.data() + b + 2, &one, 2);
            }
            const Weight w = upload_matrix(backend, "blk.0.ffn_down.weight", type, in, out_rows, bytes);
            for (float sign : {-1.0f, 1.0f}) {
                for (int64_t batch : {1, 3, 5}) {
                    INFO(isa_name(backend.isa()), " ", dtype_info(type).name, " batch=", batch, " sign=", sign);
                    CHECK(matmul_mismatches(backend, w, bytes, std::vector<float>(static_cast<size_t>(batch * in), sign), false) == 0);
                }
            }
        }
    }
}

// matmul_swiglu fuses SwiGLU into prompt batches of K-type panels (default arithmetic): its outputs
// must equal matmuls() and swiglu() bit for bit, fused or not (exact arithmetic, small batches).
TEST_CASE("matmul_swiglu equals matmuls then swiglu") {
    for_k_prompt_cases(67, [](CpuBackend& backend, bool exact, DType type, int64_t nblocks, std::mt19937& rng) {
        const int64_t in = 256 * nblocks, out_rows = 48;
        auto gate_bytes = make_rows(type, out_rows, in, Fill::arbitrary, rng);
        auto up_bytes = make_rows(type, out_rows, in, Fill::arbitrary, rng);
        const Weight gate = upload_matrix(backend, "blk.0.ffn_gate.weight", type, in, out_rows, gate_bytes);
        const Weight up = upload_matrix(backend, "blk.0.ffn_up.weight", type, in, out_rows, up_bytes);
        for (int64_t batch : {3, 32, 41}) {
            std::vector<float> x = mixed_rows(batch, in, rng);
            const Tensor input{x.data(), batch, in};
            std::vector<float> fused(static_cast<size_t>(batch * out_rows)), gates(fused.size()), ups(fused.size());
            backend.matmul_swiglu(gate, up, input, Tensor{fused.data(), batch, out_rows});
            const MatmulTarget targets[] = {{&gate, Tensor{gates.data(), batch, out_rows}}, {&up, Tensor{ups.data(), batch, out_rows}}};
            backend.matmuls(input, targets);
            backend.swiglu(targets[0].out, targets[1].out, targets[0].out);
            int bad = 0;
            for (size_t i = 0; i < fused.size(); ++i)
                if (!same_bits(fused[i], gates[i])) ++bad;
            INFO(isa_name(backend.isa()), " ", dtype_info(type).name, " exact=", exact, " blocks=", nblocks, " batch=", batch);
            CHECK(bad == 0);
        }
    });
}

// matmuls() converts the input once per dot type and runs every weight in one job: each output must
// equal matmul() of its weight alone, with weights of several types and layouts sharing the input
// (Q4_K and Q6_K as in a Q4_K_M file, a Q4_0 matrix off the panel size, F16), on 2 and 3 threads
// (decode's threads take units from each other's ranges, more often with more threads than cores).
TEST_CASE("matmuls of one input equal one matmul per weight") {
    for (int threads : {2, 3})
    for (IsaRequest isa : isa_requests_here()) {
        CpuBackend backend(CpuOptions{.n_threads = threads, .isa = isa});
        std::mt19937 rng(47);
        const int64_t in = 2 * 256;
        // Q6_K in the file's layout (40 rows) beside Q6_K panels: they read activation descriptions of
        // different forms (exact kernel, blockwise kernel; KActForm).
        const std::pair<DType, int64_t> shapes[] = {{DType::Q4_K, 48}, {DType::Q6_K, 40}, {DType::Q6_K, 32},
                                                    {DType::Q4_K, 16}, {DType::Q4_0, 40}, {DType::F16, 24}};
        std::vector<std::vector<uint8_t>> files;
        std::vector<Weight> weights;
        for (const auto& [type, out_rows] : shapes) {
            files.push_back(make_rows(type, out_rows, in, Fill::quantized, rng));
            weights.push_back(upload_matrix(backend, "blk.0.attn_q.weight", type, in, out_rows, files.back()));
        }
        for (int64_t batch : {1, 3, 4, 9, 33}) {
            std::vector<float> x = mixed_rows(batch, in, rng);
            std::vector<std::vector<float>> together, alone;
            std::vector<MatmulTarget> targets;
            for (const Weight& w : weights) {
                together.emplace_back(static_cast<size_t>(batch * w.out), -1.0f);
                alone.emplace_back(static_cast<size_t>(batch * w.out), -2.0f);
            }
            for (size_t i = 0; i < weights.size(); ++i)
                targets.push_back({&weights[i], Tensor{together[i].data(), batch, weights[i].out}});
            backend.matmuls(Tensor{x.data(), batch, in}, targets);
            for (size_t i = 0; i < weights.size(); ++i)
                backend.matmul(weights[i], Tensor{x.data(), batch, in}, Tensor{alone[i].data(), batch, weights[i].out});
            int bad = 0;
            for (size_t i = 0; i < weights.size(); ++i)
                for (size_t j = 0; j < alone[i].size(); ++j)
                    if (!same_bits(together[i][j], alone[i][j])) ++bad;
            INFO(isa_name(backend.isa()), " threads=", threads, " batch=", batch);
            CHECK(bad == 0);
        }
    }
}

TEST_CASE("tile kernels equal the reference bit for bit for every shape") {
#if defined(__aarch64__)
    if (!detect_cpu_features().neon_dotprod) {
        MESSAGE("this CPU has no dot-product extension: NEON tiles not tested");
        return;
    }
    check_every_tile_shape(Isa::neon, kLegacyTypes);
#else
    if (!cpu_has_avx2()) return;
    check_every_tile_shape(Isa::avx2, kKTypes);
    if (detect_cpu_features().avx512) check_every_tile_shape(Isa::avx512, kKTypes);
    else MESSAGE("this CPU has no AVX-512: AVX-512 tiles not tested");
#endif
}

#if defined(__aarch64__)
TEST_CASE("kernel tables: NEON has tile and decode kernels for the legacy types, single dots for the K types, half kernels") {
    if (!detect_cpu_features().neon_dotprod) return;
    const DotKernels neon = dot_kernels_for(Isa::neon);
    for (DType type : kLegacyTypes) {
        CHECK((neon.tiles.for_type(type) != nullptr));
        CHECK((neon.decode.for_type(type) != nullptr));
    }
    for (DType type : kKTypes) {
        CHECK((neon.tiles.for_type(type) == nullptr));
        CHECK((neon.decode.for_type(type) == nullptr));
    }
    CHECK((neon.half_gemm.f16 != nullptr));
    CHECK((neon.half_gemm.bf16 != nullptr));
    CHECK_FALSE(neon.half_gemm.bf16_pairs);
}
#else
TEST_CASE("kernel tables: scalar has none; AVX2 has tiles for the K types, decode kernels for the legacy types") {
    const DotKernels scalar = dot_kernels_for(Isa::scalar);
    const DotKernels avx2 = dot_kernels_for(Isa::avx2);
    for (DType type : kQuantTypes) {
        CHECK((scalar.tiles.for_type(type) == nullptr));
        CHECK((scalar.decode.for_type(type) == nullptr));
    }
    for (DType type : kKTypes) CHECK((avx2.tiles.for_type(type) != nullptr));
    for (DType type : kLegacyTypes) {
        CHECK((avx2.tiles.for_type(type) == nullptr));
        CHECK((avx2.decode.for_type(type) != nullptr));
    }
    CHECK((avx2.tiles.for_type(DType::F32) == nullptr));
    CHECK((avx2.tiles.for_type(DType::F16) == nullptr));
}

TEST_CASE("the AVX-512 table takes its own tiles exactly when the CPU has VNNI") {
    if (!detect_cpu_features().avx512) return;
    const DotKernels avx2 = dot_kernels_for(Isa::avx2);
    const DotKernels avx512 = dot_kernels_for(Isa::avx512);
    const bool own = detect_cpu_features().avx512_vnni;
    for (DType type : kKTypes) {
        INFO(dtype_info(type).name);
        CHECK(((avx512.tiles.for_type(type) != avx2.tiles.for_type(type)) == own));
    }
}
#endif

bool is_half(DType type) { return type == DType::F16 || type == DType::BF16; }

// matmul over 1..19 activation rows (decode, tiles and GEMM) and an output count that is not a multiple
// of any tile, against vec_dot of each (weight row, quantized activation row), or vec_dot_blockwise
// where the default arithmetic takes it (the K types on NEON); F16 and BF16 rows in the
// default arithmetic against vec_dot_half_lanes (BF16 with AVX-512 BF16: vec_dot_bf16_pairs) where the
// instruction set has their kernels, in rows of 7 x 16 + 5 elements (the last lanes and the last run
// of 32 are short) and of 4 x 32 (none is).
void check_matmul_matches_reference(IsaRequest isa, DType type, bool exact, int64_t in) {
    CpuBackend backend(CpuOptions{.n_threads = 2, .isa = isa, .exact = exact});
    const HalfGemmKernels half = dot_kernels_for(backend.isa()).half_gemm;
    const bool lanes = is_half(type) && !exact && half.for_type(type) != nullptr;
    const bool pairs = lanes && type == DType::BF16 && half.bf16_pairs;
    std::mt19937 rng(77);
    const int64_t out_rows = 37;
    for (Fill fill : {Fill::quantized, Fill::arbitrary}) {
        const auto w_bytes = make_rows(type, out_rows, in, fill, rng);
        const Weight w{type, in, out_rows, w_bytes.data()};
        const bool blockwise = computes_blockwise(backend, w, exact);
        const DType act = vec_dot_type(type);
        const uint64_t w_stride = row_bytes(dtype_info(type), in);
        for (int64_t batch : {1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 19}) {
            std::vector<float> x = mixed_rows(batch, in, rng);
            std::vector<float> y(static_cast<size_t>(batch * out_rows));
            backend.matmul(w, Tensor{x.data(), batch, in}, Tensor{y.data(), batch, out_rows});
            int bad = 0;
            std::vector<uint8_t> q(row_bytes(dtype_info(act), in));
            std::vector<float> rounded(static_cast<size_t>(in));
            for (int64_t r = 0; r < batch; ++r) {
                quantize_row(act, x.data() + r * in, q.data(), in);
                dequantize_row(act, q.data(), rounded.data(), in);
                for (int64_t o = 0; o < out_rows; ++o) {
                    const uint8_t* row = w_bytes.data() + w_stride * static_cast<uint64_t>(o);
                    const auto* halves = reinterpret_cast<const uint16_t*>(row);
                    const float expected = pairs       ? vec_dot_bf16_pairs(halves, rounded.data(), in)
                                           : lanes     ? vec_dot_half_lanes(type, halves, rounded.data(), in)
                                           : blockwise ? vec_dot_blockwise(type, row, q.data(), in)
                                                       : vec_dot(type, row, q.data(), in);
                    if (!same_bits(y[static_cast<size_t>(r * out_rows + o)], expected)) ++bad;
                }
            }
            INFO(dtype_info(type).name, " ", isa_name(backend.isa()), " exact=", exact, " in=", in, " batch=", batch, " arbitrary=", fill == Fill::arbitrary);
            CHECK(bad == 0);
        }
    }
}

TEST_CASE("CpuBackend::matmul equals the per-row reference for batches of 1..19 rows") {
    std::vector<DType> types(std::begin(kQuantTypes), std::end(kQuantTypes));
    types.push_back(DType::F16);
    types.push_back(DType::BF16);
    for (DType type : types)
        for (IsaRequest isa : isa_requests_here()) {
            if (!is_half(type)) {
                check_matmul_matches_reference(isa, type, false, 7 * dtype_info(type).block_elems);
                continue;
            }
            for (int64_t in : {7 * 16 + 5, 4 * 32})
                for (bool exact : {false, true}) check_matmul_matches_reference(isa, type, exact, in);
        }
}

// vdpbf16ps's subnormal rules, which the pairs arithmetic follows: a subnormal bf16 input counts as
// zero, a subnormal result of a step becomes zero. Row 0: each product 2^-140 (subnormal) flushes;
// row 1: subnormal weights against large activations would give 2^-33 each. The kernel, where the CPU
// has it, gives the reference's bits on both.
TEST_CASE("vec_dot_bf16_pairs: subnormal inputs count as zeros, subnormal results flush to zero") {
    constexpr int64_t n = 40;
    const uint16_t tiny = 0x1C80;  // 2^-70
    const uint16_t subnormal = 0x0001;  // 2^-133
    std::vector<uint16_t> weights(2 * n);
    std::fill_n(weights.begin(), n, tiny);
    std::fill_n(weights.begin() + n, n, subnormal);
    std::vector<float> acts(2 * n);
    std::fill_n(acts.begin(), n, 0x1p-70f);
    std::fill_n(acts.begin() + n, n, 0x1p100f);
    CHECK(vec_dot_bf16_pairs(weights.data(), acts.data(), n) == 0.0f);
    CHECK(vec_dot_bf16_pairs(weights.data() + n, acts.data() + n, n) == 0.0f);
    CHECK(vec_dot_half_lanes(DType::BF16, weights.data() + n, acts.data() + n, n) == static_cast<float>(n) * 0x1p-33f);
    const HalfGemmKernels half = dot_kernels_for(select_isa(IsaRequest::automatic, nullptr, detect_cpu_features())).half_gemm;
    if (!half.bf16_pairs) return;
    std::vector<uint16_t> act_bits(acts.size());  // the kernel's activations are bf16 (these are exact)
    for (size_t i = 0; i < acts.size(); ++i) act_bits[i] = f32_to_bf16(acts[i]);
    std::vector<float> out(4);
    half.bf16({weights.data(), n, 2, act_bits.data(), n, 2, n, out.data(), 2});
    for (int r = 0; r < 2; ++r) {
        CAPTURE(r);
        CHECK(same_bits(out[static_cast<size_t>(r * 2 + r)], vec_dot_bf16_pairs(weights.data() + r * n, acts.data() + r * n, n)));
    }
}

// The lanes and pairs arithmetics of F16 and BF16 matmuls stay within float rounding of ggml's (double sums):
// |lanes - exact| <= n * 2^-23 * sum |w a| on rows of mixed magnitudes and cancellations.
TEST_CASE("vec_dot_half_lanes and vec_dot_bf16_pairs: within float rounding of the exact dot") {
    std::mt19937 rng(5);
    for (DType type : {DType::F16, DType::BF16}) {
        for (int64_t n : {1, 15, 16, 17, 100, 2048, 4099}) {
            for (int kind = 0; kind < 4; ++kind) {
                const auto w_bytes = make_rows(type, 1, n, Fill::quantized, rng);
                std::vector<uint16_t> a(static_cast<size_t>(n));
                quantize_row(type, mixed_floats(kind + 1, n, rng).data(), a.data(), n);
                std::vector<float> wf(static_cast<size_t>(n)), af(static_cast<size_t>(n));
                dequantize_row(type, w_bytes.data(), wf.data(), n);
                dequantize_row(type, a.data(), af.data(), n);
                double magnitude = 0.0;
                for (int64_t i = 0; i < n; ++i) magnitude += std::abs(static_cast<double>(wf[static_cast<size_t>(i)]) * af[static_cast<size_t>(i)]);
                const auto* halves = reinterpret_cast<const uint16_t*>(w_bytes.data());
                const float lanes = vec_dot_half_lanes(type, halves, af.data(), n);
                const float exact = vec_dot(type, w_bytes.data(), a.data(), n);
                const double bound = static_cast<double>(n) * 0x1p-23 * magnitude + 1e-30;
                INFO(dtype_info(type).name, " n=", n, " kind=", kind);
                CHECK(std::abs(static_cast<double>(lanes) - exact) <= bound);
                if (type == DType::BF16) CHECK(std::abs(static_cast<double>(vec_dot_bf16_pairs(halves, af.data(), n)) - exact) <= bound);
            }
        }
    }
    CHECK_THROWS_AS(vec_dot_half_lanes(DType::Q8_0, nullptr, nullptr, 32), Error);
}

}  // namespace
}  // namespace hearth::cpu
