// Quantized weight x f32 activations: activations are converted once per row to the weight's dot
// type (Q8_0, Q8_1, Q8_K, F16, ...) and every output is one dot: the backend's fast kernel for the
// weight type when it has one (bit-identical to the reference), else the reference vec_dot. Types
// with a tile kernel compute small tiles of (weight rows x activation rows) at once, which reuses
// each unpacked weight block across activation rows; every output's arithmetic is still the single
// dot's, so an output does not depend on the batch size or the tiling.
#include <algorithm>

#include "backends/cpu/cpu_backend.h"
#include "core/error.h"
#include "core/quant/quant.h"

namespace hearth::cpu {
namespace {
constexpr int64_t kRowsPerTask = 16;  // a multiple of every tile's weight-row count
// From this many activation rows on, the GEMM kernels (which repack each weight panel once) beat
// the tiles (which unpack each weight block once per 4 activation rows): llama-1b Q4_0, concurrent
// streams on 2 threads, 4 streams 45 t/s against 39, 8 streams 60 against 50; 2 streams 28 against 32.
constexpr int64_t kGemmMinRows = 4;
constexpr uint64_t kPanelAlign = 64;
constexpr int64_t kGemmTasksPerThread = 4;
// One contiguous range of rows per thread in decode (below): 4 ranges per thread handed out in turn
// read 36 GB/s against 39 (llama-1b Q4_0 tg, 2 threads).
constexpr int64_t kDecodeTasksPerThread = 1;

// Outputs for weight rows [row_begin, row_end) and every activation row, by tiles: as many
// activation rows as a tile takes, then as many weight rows as fit in its outputs.
void run_tiles(TileKernel tile, TileArgs base, int64_t row_begin, int64_t row_end, int64_t act_rows) {
    for (int64_t r0 = 0; r0 < act_rows; r0 += kTileMaxActRows) {
        const int cols = static_cast<int>(std::min<int64_t>(kTileMaxActRows, act_rows - r0));
        const int rows_per_tile = kTileMaxOutputs / cols;
        for (int64_t o = row_begin; o < row_end; o += rows_per_tile) {
            TileArgs args = base;
            args.weights += static_cast<uint64_t>(o) * base.weight_stride;
            args.acts += static_cast<uint64_t>(r0) * base.act_stride;
            args.out += r0 * base.out_stride + o;
            tile(args, {static_cast<int>(std::min<int64_t>(rows_per_tile, row_end - o)), cols});
        }
    }
}
// Runs a GEMM kernel over panels [0, n_panels) in n_tasks runs of consecutive panels: args_of(panel,
// worker) builds a panel's arguments, and each call learns the next panel of its run (the kernel
// prefetches its weights, bytes_per_row per row, while it computes).
template <class ArgsOf>
void run_panels(ThreadPool& pool, GemmKernel kernel, int64_t n_panels, int64_t n_tasks, uint64_t bytes_per_row,
                const ArgsOf& args_of) {
    pool.parallel_for_workers(n_tasks, [&](int64_t task, int worker) {
        const int64_t end = n_panels * (task + 1) / n_tasks;
        for (int64_t panel = n_panels * task / n_tasks; panel < end; ++panel) {
            GemmArgs args = args_of(panel, worker);
            if (panel + 1 < end) {
                const GemmArgs next = args_of(panel + 1, worker);
                args.next_weights = next.weights;
                args.next_bytes = static_cast<uint64_t>(next.weight_rows) * bytes_per_row;
            }
            kernel(args);
        }
    });
}
}  // namespace

void CpuBackend::matmul(const Weight& w, Tensor x, Tensor out) {
    require(x.cols == w.in && out.rows == x.rows && out.cols == w.out, ErrorKind::internal,
            "matmul: shape mismatch");
    const F16DotsKernel half_dots = w.type == DType::F16    ? attention_kernels_.dots_f16
                                    : w.type == DType::BF16 ? attention_kernels_.dots_bf16
                                                            : nullptr;
    if (half_dots != nullptr) return half_matmul(w, x, out, half_dots);
    const DType act_type = vec_dot_type(w.type);
    const uint64_t act_stride = row_bytes(dtype_info(act_type), w.in);
    const uint64_t w_stride = row_bytes(dtype_info(w.type), w.in);
    act_scratch_.resize(act_stride * x.rows);
    uint8_t* acts = act_scratch_.data();
    const QuantizeRowKernel fast_quantize = dot_kernels_.quantize.for_type(act_type);
    pool_.parallel_for(x.rows, [&](int64_t r) {
        const float* src = x.data + r * x.cols;
        if (fast_quantize != nullptr) fast_quantize(src, acts + r * act_stride, w.in);
        else quantize_row(act_type, src, acts + r * act_stride, w.in);
    });
    if (w.layout == kPanelLayout) return panel_matmul(dot_kernels_.panels.for_type(w.type).gemm, w, acts, act_stride, out);
    const GemmKernel gemm_kernel = x.rows >= kGemmMinRows ? dot_kernels_.gemm.for_type(w.type) : nullptr;
    if (gemm_kernel != nullptr) return gemm(gemm_kernel, w, acts, act_stride, out);
    const auto* weights = static_cast<const uint8_t*>(w.data);
    const DotKernel fast = dot_kernels_.for_type(w.type);
    const int64_t nblocks = w.in / dtype_info(w.type).block_elems;
    const auto dot = [&](const uint8_t* weight_row, const uint8_t* act_row) {
        return fast ? fast(weight_row, act_row, nblocks) : vec_dot(w.type, weight_row, act_row, w.in);
    };
    // Decode splits the rows into one contiguous range per thread: tasks handed out in turn would
    // interleave the threads' rows, and the hardware prefetchers then stream neither thread's
    // weights (llama-1b Q4_0 tg on 2 threads: 31 t/s interleaved, 51 contiguous).
    const int64_t n_tasks = x.rows == 1 ? std::min<int64_t>(kDecodeTasksPerThread * pool_.size(), (w.out + kRowsPerTask - 1) / kRowsPerTask)
                                        : (w.out + kRowsPerTask - 1) / kRowsPerTask;
    const int64_t task_rows = (w.out + n_tasks * kRowsPerTask - 1) / (n_tasks * kRowsPerTask) * kRowsPerTask;
    const auto task_range = [&](int64_t task) {
        return std::pair{task * task_rows, std::min(w.out, (task + 1) * task_rows)};
    };
    // Tiles with one activation row are the decode kernels, which keep the reference's float steps
    // in vector lanes; the multi-row tiles reuse each unpacked weight block across activation rows.
    const TileKernel tile = x.rows > 1 ? dot_kernels_.tiles.for_type(w.type) : dot_kernels_.decode.for_type(w.type);
    if (tile != nullptr) {
        const TileArgs base{weights, w_stride, acts, act_stride, nblocks, out.data, w.out};
        pool_.parallel_for(n_tasks, [&](int64_t task) {
            const auto [begin, end] = task_range(task);
            run_tiles(tile, base, begin, end, x.rows);
        });
        return;
    }
    pool_.parallel_for(n_tasks, [&](int64_t task) {
        const auto [begin, end] = task_range(task);
        for (int64_t o = begin; o < end; ++o)
            for (int64_t r = 0; r < x.rows; ++r)
                out.data[r * w.out + o] = dot(weights + o * w_stride, acts + r * act_stride);
    });
}

void CpuBackend::describe_acts(const Weight& w, const uint8_t* acts, uint64_t act_stride, int64_t rows) {
    const int64_t nblocks = w.in / dtype_info(w.type).block_elems;
    const uint64_t row_description = gemm_act_block_bytes(w.type) * static_cast<uint64_t>(nblocks);
    act_blocks_.resize(row_description * static_cast<uint64_t>(rows));
    pool_.parallel_for(rows, [&](int64_t r) {
        describe_act_blocks(w.type, acts + r * act_stride, act_stride, 1, nblocks,
                            act_blocks_.data() + row_description * static_cast<uint64_t>(r));
    });
}

// Weights in kPanelLayout: every row count runs the panel kernel; decode gives each thread one
// contiguous run of panels (see matmul), a batch takes runs of panels per task and, from
// kGemmMinRows rows on, a scratch panel per thread for kernels that expand the layout once per batch.
void CpuBackend::panel_matmul(GemmKernel kernel, const Weight& w, const uint8_t* acts, uint64_t act_stride,
                              Tensor out) {
    describe_acts(w, acts, act_stride, out.rows);
    const int64_t nblocks = w.in / dtype_info(w.type).block_elems;
    const uint64_t w_stride = row_bytes(dtype_info(w.type), w.in);
    const uint64_t panel_bytes = w_stride * kGemmPanelRows;
    const int64_t n_panels = w.out / kGemmPanelRows;
    const int64_t per_thread = out.rows == 1 ? kDecodeTasksPerThread : kGemmTasksPerThread;
    const int64_t n_tasks = std::min<int64_t>(n_panels, per_thread * pool_.size());
    const ScratchPanels scratch = out.rows >= kGemmMinRows ? scratch_panels(w.type, nblocks) : ScratchPanels{};
    run_panels(pool_, kernel, n_panels, n_tasks, w_stride, [&](int64_t panel, int worker) {
        return GemmArgs{static_cast<const uint8_t*>(w.data) + panel_bytes * static_cast<uint64_t>(panel), 0,
                        kGemmPanelRows, acts, act_stride, act_blocks_.data(), out.rows, nblocks,
                        out.data + panel * kGemmPanelRows, w.out, scratch.of(worker)};
    });
}

CpuBackend::ScratchPanels CpuBackend::scratch_panels(DType weight_type, int64_t nblocks) {
    const uint64_t panel_bytes = (gemm_panel_bytes(weight_type, nblocks) + kPanelAlign - 1) / kPanelAlign * kPanelAlign;
    panel_scratch_.resize(panel_bytes * static_cast<uint64_t>(pool_.size()) + kPanelAlign);
    const auto base = reinterpret_cast<uintptr_t>(panel_scratch_.data());
    return {panel_scratch_.data() + ((kPanelAlign - base % kPanelAlign) % kPanelAlign), panel_bytes};
}

void CpuBackend::gemm(GemmKernel kernel, const Weight& w, const uint8_t* acts, uint64_t act_stride, Tensor out) {
    describe_acts(w, acts, act_stride, out.rows);
    const int64_t nblocks = w.in / dtype_info(w.type).block_elems;
    const ScratchPanels scratch = scratch_panels(w.type, nblocks);
    const uint64_t w_stride = row_bytes(dtype_info(w.type), w.in);
    const int64_t n_panels = (w.out + kGemmPanelRows - 1) / kGemmPanelRows;
    // Each task takes a run of consecutive panels, so that the kernel can prefetch the panel it does
    // next; several runs per thread keep the threads balanced.
    const int64_t n_tasks = std::min<int64_t>(n_panels, kGemmTasksPerThread * pool_.size());
    run_panels(pool_, kernel, n_panels, n_tasks, w_stride, [&](int64_t panel, int worker) {
        const int64_t row0 = panel * kGemmPanelRows;
        const int rows = static_cast<int>(std::min<int64_t>(kGemmPanelRows, w.out - row0));
        return GemmArgs{static_cast<const uint8_t*>(w.data) + static_cast<uint64_t>(row0) * w_stride, w_stride,
                        rows, acts, act_stride, act_blocks_.data(), out.rows, nblocks, out.data + row0, w.out,
                        scratch.of(worker)};
    });
}

}  // namespace hearth::cpu
