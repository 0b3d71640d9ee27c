#pragma once
// The backend's table of fast dot kernels, one per weight type, chosen once for an instruction set.
// Every kernel returns exactly the float of hearth::vec_dot (core/quant/quant.h) for the same rows:
// integer block sums may be formed in any order (they are exact), the float steps follow the
// reference operation by operation. A null entry means "use the reference".
#include <cstdint>

#include "backends/cpu/kernels/act_quant.h"
#include "backends/cpu/kernels/isa.h"
#include "core/quant/dtype.h"

namespace hearth::cpu {

// Dot of one weight row with one activation row in vec_dot_type(weight type); nblocks counts the
// weight type's blocks and is not validated.
using DotKernel = float (*)(const void* weight_row, const void* act_row, int64_t nblocks);

// A tile of outputs of one matmul: out[j * out_stride + i] = dot(weight row i, activation row j) for
// i < weight_rows, j < act_rows. Each weight block is unpacked once per tile and each activation
// block read once per weight row; every output's float steps stay those of the single dot kernel.
struct TileArgs {
    const uint8_t* weights;
    uint64_t weight_stride;  // bytes between weight rows
    const uint8_t* acts;
    uint64_t act_stride;     // bytes between activation rows
    int64_t nblocks;         // weight-type blocks per row
    float* out;
    int64_t out_stride;      // floats between the outputs of consecutive activation rows
};

// Tile shapes a tile kernel accepts: 1..kTileMaxActRows activation rows, 1..kTileMaxOutputs weight
// rows, at most kTileMaxOutputs outputs in all. Other shapes are not validated.
inline constexpr int kTileMaxActRows = 4;
inline constexpr int kTileMaxOutputs = 8;

// The decode kernels (DotKernels::decode) take 1..kTileMaxOutputs weight rows and up to this many
// activation rows (a few concurrent streams, a short draft to verify; batches from kGemmMinRows on
// take the GEMM kernels).
inline constexpr int kDecodeMaxActRows = 3;

struct TileShape {
    int weight_rows;
    int act_rows;
};

using TileKernel = void (*)(const TileArgs& args, TileShape shape);

// One kernel per quantized weight type; an empty (value-initialized) entry means the type has none.
template <class Kernel>
struct PerWeightType {
    Kernel q4_0{};
    Kernel q4_1{};
    Kernel q5_0{};
    Kernel q5_1{};
    Kernel q8_0{};
    Kernel q4_k{};
    Kernel q5_k{};
    Kernel q6_k{};

    Kernel for_type(DType weight_type) const {
        switch (weight_type) {
            case DType::Q4_0: return q4_0;
            case DType::Q4_1: return q4_1;
            case DType::Q5_0: return q5_0;
            case DType::Q5_1: return q5_1;
            case DType::Q8_0: return q8_0;
            case DType::Q4_K: return q4_k;
            case DType::Q5_K: return q5_k;
            case DType::Q6_K: return q6_k;
            default: return {};
        }
    }
};

using TileKernels = PerWeightType<TileKernel>;

// Prefill GEMM over one panel of up to kGemmPanelRows weight rows and any number of activation rows.
// The kernel first repacks the panel into `panel` (the rows interleaved four quants at a time, scales
// widened), then runs every activation row over it, so the repacking is paid once per panel however
// many rows the batch has. Every output's float
// steps stay those of the single dot kernel, so it equals vec_dot bit for bit.
inline constexpr int kGemmPanelRows = 16;
// The blockwise K kernels (K-type matmuls in the default arithmetic) take this many consecutive panels
// per call (GemmArgs::weight_rows = kBlockwisePanels * kGemmPanelRows; a weight's last call may have
// one): each activation quad loaded feeds both panels.
inline constexpr int kBlockwisePanels = 2;

// What the GEMM kernels of the legacy types need of an activation block besides its quants.
struct GemmActBlock {
    float d;
    float m;                // s of a Q8_1 block, else 0
    int32_t offset_sum;     // gemm_weight_offset(weight type) * sum of the block's quants
};

// How a GemmKActBlock holds each run of 32 quants.
enum class KActForm : uint8_t {
    lanes,           // lane order (byte m of int32 slot l is element l + 8m), signed
    lanes_plus128,   // the same plus 128 (unsigned): Q6_K's exact kernels, whose weights are the signed ones
    paired_plus128,  // int32 slot 2p + h holds bytes 2h, 2h + 1 of lane slots 2p and 2p + 1 (4 quants of
                     // one 16-quant sub-block), plus 128: the AVX-512 blockwise Q6_K GEMMs
};
// The form the exact kernels (and the legacy types, which ignore it) read.
KActForm exact_k_act_form(DType weight_type);

// What the GEMM kernels of the K types read of a Q8_K activation block: its quants in the form the
// kernel takes (KActForm); the sums of its pairs of bsums, (bsums[4t] + bsums[4t+1], bsums[4t+2] +
// bsums[4t+3]) in int32 slot t; the bsums themselves (the sums of its 16-quant sub-blocks, for the
// blockwise Q6_K kernels that run rows straight from the layout); and d.
struct GemmKActBlock {
    int8_t quants[256];
    int16_t bsum_pairs[8];
    int16_t bsums[16];
    float d;
    int32_t padding[3];  // to a multiple of 32 bytes
};

struct GemmArgs {
    const uint8_t* weights;
    uint64_t weight_stride;  // bytes between weight rows
    int weight_rows;         // 1..kGemmPanelRows
    const uint8_t* acts;     // the activation rows (legacy types read their quants here)
    uint64_t act_stride;     // bytes between activation rows
    const void* act_blocks;  // act_rows x nblocks from describe_act_blocks
    int64_t act_rows;
    int64_t nblocks;         // weight-type blocks per row
    float* out;              // out[j * out_stride + i] for weight row i, activation row j
    int64_t out_stride;
    uint8_t* panel;          // gemm_panel_bytes(weight type, nblocks) bytes, 64-byte aligned
    // The weight bytes of the panel this thread takes next (null if none): the kernel prefetches them
    // while it computes, since packing reads its rows a block at a time, which no hardware prefetcher
    // follows.
    const uint8_t* next_weights = nullptr;
    uint64_t next_bytes = 0;
    // PanelKernel::blockwise_swiglu: the up weight's panel beside the gate panel at `weights`.
    const uint8_t* up_weights = nullptr;
};

using GemmKernel = void (*)(const GemmArgs& args);
using GemmKernels = PerWeightType<GemmKernel>;

uint64_t gemm_panel_bytes(DType weight_type, int64_t nblocks);
// Scratch bytes per K super-block of an expanded panel: the larger of the exact and blockwise forms.
inline constexpr uint64_t kGemmKSuperBlockBytes = 87 * 64;
// The value the legacy GEMM kernels add to a weight type's quants to make them unsigned bytes.
int gemm_weight_offset(DType weight_type);
// Q4_K, Q5_K and Q6_K: the weight types whose GEMM kernels read GemmKActBlock descriptions.
bool is_gemm_k_type(DType weight_type);
// Bytes per activation block of describe_act_blocks: GemmActBlock or GemmKActBlock.
uint64_t gemm_act_block_bytes(DType weight_type);
// Fills blocks (rows x nblocks, row-major) for activation rows of vec_dot_type(weight_type); the K
// types' quants in `form`.
void describe_act_blocks(DType weight_type, const uint8_t* acts, uint64_t act_stride, int64_t rows,
                         int64_t nblocks, void* blocks, KActForm form);
// The K types' part of describe_act_blocks, with the same bytes.
using DescribeKKernel = void (*)(const uint8_t* acts, uint64_t act_stride, int64_t rows, int64_t nblocks, KActForm form,
                                 GemmKActBlock* blocks);

// Weights repacked at load into 16-row panels (Weight::layout == kPanelLayout): per panel of 16 rows
// and per block, the rows' quant bytes interleaved four at a time (register t holds bytes 4t..4t+3
// of each row's block; the K types in the reference's lane order, Q5_K eight quants to five bytes
// and Q6_K four to three, panel_k_layout.h) and the scales. The same number of bytes as the file's
// layout, in an order the kernels read without repacking per matmul. Only for types with a
// PanelKernel.
inline constexpr int32_t kPanelLayout = 1;

// Repacks `rows` (a multiple of kGemmPanelRows) file-layout rows of nblocks blocks into dst.
using PanelRepack = void (*)(const uint8_t* src, int64_t rows, int64_t nblocks, uint8_t* dst);

// A matmul over one repacked panel: GemmArgs with `weights` at the panel; `panel` is null for fewer
// than 4 activation rows, else gemm_panel_bytes of scratch where a kernel may expand the panel once
// for all rows (the K types do; the legacy types read their layout directly).
struct PanelKernel {
    PanelRepack repack = nullptr;
    GemmKernel gemm = nullptr;
    // The K types' matmul in the blockwise arithmetic (ref::dot_blockwise), for every batch when
    // exact ggml arithmetic is not asked for (CpuOptions::exact); null: `gemm` takes every batch. With
    // `panel` null (fewer than kGemmMinRows rows) it reads activations described in KActForm::lanes,
    // else in blockwise_batch_form.
    GemmKernel blockwise = nullptr;
    KActForm blockwise_batch_form = KActForm::lanes;
    // The same for a gate panel and its up panel (GemmArgs::up_weights), storing SwiGLU of the two
    // (the fast_math.h SwiGLU: out = gate / (1 + e^-gate) * up) instead of both products.
    GemmKernel blockwise_swiglu = nullptr;
};

// F16 and BF16 weights in Hearth's lanes arithmetic (vec_dot_half_lanes, core/quant/quant.h; BF16 on
// CPUs with AVX-512 BF16: vec_dot_bf16_pairs): out[a * out_stride + r] for weight rows r < weight_rows
// and activation rows a < act_rows, the activations already rounded to the weight type (the
// reference's float values: exactly these halves); any row length n. Each output's bits are the
// reference's whatever the tile or batch.
struct HalfGemmArgs {
    const uint16_t* weights;
    int64_t weight_stride;  // elements between weight rows
    int64_t weight_rows;
    const uint16_t* acts;   // the activations rounded to the weight type
    int64_t act_stride;     // elements between activation rows
    int64_t act_rows;
    int64_t n;
    float* out;
    int64_t out_stride;     // floats between the outputs of consecutive activation rows
    float* scratch = nullptr;  // weight_rows x n floats a kernel may widen the weights into; null: none
};
using HalfGemmKernel = void (*)(const HalfGemmArgs& args);

struct HalfGemmKernels {
    HalfGemmKernel f16 = nullptr;
    HalfGemmKernel bf16 = nullptr;
    bool bf16_pairs = false;  // bf16 computes vec_dot_bf16_pairs (AVX-512 BF16's arithmetic), not the lanes
    HalfGemmKernel for_type(DType weight_type) const {
        return weight_type == DType::F16 ? f16 : weight_type == DType::BF16 ? bf16 : nullptr;
    }
};

// The single dots (this struct's own entries) and the other kernel tables.
struct DotKernels : PerWeightType<DotKernel> {
    TileKernels tiles;   // batches no decode or GEMM kernel takes (K types in the file's layout); null: single dots
    TileKernels decode;  // 1..kDecodeMaxActRows activation rows (legacy types); null: tiles, or single dots for one row
    GemmKernels gemm;    // kGemmMinRows+ activation rows (prefill); null entries: the tiles
    PerWeightType<PanelKernel> panels;  // weights repacked at load; empty entries: never repacked
    ActQuantizers quantize;  // activation rows to the dot types; null entries: the reference
    DescribeKKernel describe_k = nullptr;  // describe_act_blocks for the K types; null: the portable loop
    HalfGemmKernels half_gemm;  // F16 / BF16 matmuls unless exact ggml arithmetic is asked for; null: the exact dots
    // K-type single dots in the blockwise arithmetic (vec_dot_blockwise) for weights in the file's
    // layout, every batch size, unless exact ggml arithmetic is asked for: where no panels take the K
    // types (NEON). Null: those weights take the exact kernels.
    PerWeightType<DotKernel> blockwise;
};

// The kernels for an instruction set; scalar has none. AVX-512 takes the AVX2 kernels, and the VNNI
// ones where the CPU has VNNI and they measured faster.
DotKernels dot_kernels_for(Isa isa);

// AVX2 kernels (dot_avx2.cpp: the table; dot_avx2_k.cpp: adds the K types' dots). Call only when the
// CPU has AVX2, FMA and F16C.
DotKernels avx2_dot_kernels();
void add_avx2_k_kernels(DotKernels& kernels);
TileKernels avx2_decode_kernels();          // decode_avx2.cpp: the legacy types, 1..kDecodeMaxActRows activation rows
GemmKernels avx2_gemm_kernels();            // gemm_avx2.cpp: the legacy types
void add_avx2_k_gemm(GemmKernels& kernels);  // gemm_avx2_k.cpp: the K types
void add_avx2_k_tiles(TileKernels& tiles);  // tile_avx2_k.cpp: adds the K types
void add_avx2_legacy_panel_kernels(PerWeightType<PanelKernel>& kernels);  // panel_avx2.cpp: Q4_0, Q4_1, Q5_0, Q5_1
void add_avx2_k_panel_kernels(PerWeightType<PanelKernel>& kernels);  // panel_avx2_k.cpp: the K types
void add_avx2_k_blockwise_kernels(PerWeightType<PanelKernel>& kernels);  // panel_avx2_k_blockwise.cpp
void add_avx2_describe_kernel(DotKernels& kernels);  // describe_avx2.cpp
HalfGemmKernels avx2_half_gemm_kernels();    // half_gemm_avx2.cpp
// AVX-512 F, BW and VL without VNNI suffice for these (half_gemm_avx512.cpp).
HalfGemmKernels avx512_half_gemm_kernels();
HalfGemmKernel avx512_bf16_pairs_gemm();  // half_gemm_avx512_bf16.cpp; only where the CPU has AVX-512 BF16

// AVX-512 kernels, replacing entries of an AVX2 table (tile_avx512_k.cpp: the K types' dots and tiles).
// Call only when the CPU has AVX-512 F, BW, VL and VNNI.
GemmKernels avx512_gemm_kernels();          // gemm_avx512.cpp: the legacy types
void add_avx512_k_gemm(GemmKernels& kernels);  // gemm_avx512_k.cpp: the K types
PerWeightType<PanelKernel> avx512_panel_kernels();  // panel_avx512.cpp: Q4_0, Q4_1, Q5_0, Q5_1
void add_avx512_k_panel_kernels(PerWeightType<PanelKernel>& kernels);  // panel_avx512_k.cpp: the K types
void add_avx512_k_blockwise_kernels(PerWeightType<PanelKernel>& kernels);  // panel_avx512_k_blockwise.cpp
void add_avx512_k_kernels(DotKernels& kernels);

// aarch64 NEON kernels (dot_neon.cpp: legacy types, with SDOT; dot_neon_k.cpp: adds the K types;
// tile_neon.cpp: tile and decode kernels of the legacy types; half_gemm_neon.cpp: F16 and BF16 in
// the lanes arithmetic). Built only for aarch64; call only when the CPU has the dot-product
// extension. The K types take single dots (exact and blockwise), no tiles yet.
DotKernels neon_dot_kernels();
void add_neon_k_kernels(DotKernels& kernels);  // the exact dots and the blockwise ones
void add_neon_legacy_tiles(DotKernels& kernels);
HalfGemmKernels neon_half_gemm_kernels();

}  // namespace hearth::cpu
