// Quantized weight x f32 activations: activations are converted once per row to the weight's dot
// type (Q8_0, Q8_1, Q8_K, F16, ...) and every output is one dot: the backend's fast kernel for the
// weight type when it has one (bit-identical to the reference), else the reference vec_dot. Types
// with a tile kernel compute small tiles of (weight rows x activation rows) at once, which reuses
// each unpacked weight block across activation rows; every output's arithmetic is still the single
// dot's, so an output does not depend on the batch size or the tiling. Unless CpuOptions::exact,
// K-type panels take the blockwise kernels instead, at every batch size (on NEON, which has no
// panels, file-layout K weights take its blockwise single dots): each output then equals
// ref::dot_blockwise, which sums each super-block as one integer.
//
// matmuls() takes several weights of one input (Q, K and V; gate and up): the input is converted
// once per dot type and described once per weight type, and all products run as one job of tasks,
// so the threads meet once instead of once per weight.
#include <algorithm>

#include "backends/cpu/cpu_backend.h"
#include "core/error.h"
#include "core/quant/half.h"
#include "core/quant/quant.h"

namespace hearth::cpu {
namespace {
constexpr int64_t kRowsPerUnit = 16;  // rows of a unit of work: a multiple of every tile's weight-row count
// From this many activation rows on, the GEMM kernels (which repack or expand each weight panel once)
// take a batch; fewer rows run the decode kernels or straight from the panel layout. Measured when the
// smaller batches still ran multi-row tiles: llama-1b Q4_0, concurrent streams on 2 threads, 4 streams
// 45 t/s against 39, 8 streams 60 against 50; 2 streams 28 against 32.
constexpr int64_t kGemmMinRows = 4;
static_assert(kDecodeMaxActRows == kGemmMinRows - 1, "the decode kernels take every batch below the GEMMs");
constexpr uint64_t kScratchAlign = 64;
constexpr int64_t kGemmTasksPerThread = 4;
// One contiguous range of rows per thread in decode (below; shared out at its end by
// run_decode_share): 4 ranges per thread handed out in turn read 36 GB/s against 39 (llama-1b Q4_0
// tg, 2 threads).
constexpr int64_t kDecodeTasksPerThread = 1;
// A decode run of panels shorter than this still requests each next panel (see panel_part).
constexpr uint64_t kDecodeShortRunBytes = 512 * 1024;
// The most of the next matrices' bytes a thread reads ahead while idle (hand_out_read_ahead): a
// quarter of a Zen 4 core's L2. 64 KB and 1 MB read within noise of it (SmolLM2 decode).
constexpr uint64_t kReadAheadBytes = 256 * 1024;

uint64_t aligned(uint64_t bytes) { return (bytes + kScratchAlign - 1) / kScratchAlign * kScratchAlign; }

uint8_t* aligned_start(std::vector<uint8_t>& buffer, uint64_t bytes) {
    buffer.resize(bytes + kScratchAlign);
    const auto base = reinterpret_cast<uintptr_t>(buffer.data());
    return buffer.data() + (kScratchAlign - base % kScratchAlign) % kScratchAlign;
}

int64_t blocks_per_row(const Weight& w) { return w.in / dtype_info(w.type).block_elems; }

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

// The same by a decode kernel: every activation row (at most kDecodeMaxActRows) per call.
void run_decode(TileKernel decode, TileArgs base, int64_t row_begin, int64_t row_end, int act_rows) {
    for (int64_t o = row_begin; o < row_end; o += kTileMaxOutputs) {
        TileArgs args = base;
        args.weights += static_cast<uint64_t>(o) * base.weight_stride;
        args.out += o;
        decode(args, {static_cast<int>(std::min<int64_t>(kTileMaxOutputs, row_end - o)), act_rows});
    }
}

// Where a run's calls of a GEMM kernel differ: call i reads the weights (and up weights) i x
// call_bytes further on and writes outputs i x call_rows further on, call_rows weight rows of
// bytes_per_row each, fewer in the matrix's last call (total_rows in all).
struct PanelSteps {
    uint64_t call_bytes = 0;
    int64_t call_rows = 0;
    int64_t total_rows = 0;
    uint64_t bytes_per_row = 0;
};

// A GEMM kernel over calls [0, n_calls) (the part's units) in n_tasks runs of consecutive calls, each
// call's arguments `first`'s moved by `steps`, with the worker's scratch panel (`panel_of(worker)`);
// with prefetch_next, each call learns the matrix's next call (the kernel prefetches its weights
// while it computes), which is mostly the thread's next: decode threads claim their range in pieces
// (run_decode_share), and stopping the requests at each piece's end cost SmolLM2 3-4%. A run's
// arguments are built once: building them per call (a 112-byte struct cleared by `rep stos`) took
// ~2% of SmolLM2's decode time on the calling thread.
template <class PanelOf>
MatmulPart panel_runs(GemmKernel kernel, int64_t n_calls, int64_t n_tasks, const GemmArgs& first, PanelSteps steps,
                      PanelOf panel_of, bool prefetch_next) {
    return {n_tasks, n_calls, [=](int64_t begin, int64_t end, int worker) {
                const auto rows_of = [&](int64_t call) {
                    return static_cast<int>(std::min(steps.call_rows, steps.total_rows - call * steps.call_rows));
                };
                GemmArgs args = first;
                args.panel = panel_of(worker);
                for (int64_t call = begin; call < end; ++call) {
                    const uint64_t offset = steps.call_bytes * static_cast<uint64_t>(call);
                    args.weights = first.weights + offset;
                    if (first.up_weights != nullptr) args.up_weights = first.up_weights + offset;
                    args.weight_rows = rows_of(call);
                    args.out = first.out + call * steps.call_rows;
                    const bool next = prefetch_next && call + 1 < n_calls;
                    args.next_weights = next ? args.weights + steps.call_bytes : nullptr;
                    args.next_bytes = next ? static_cast<uint64_t>(rows_of(call + 1)) * steps.bytes_per_row : 0;
                    kernel(args);
                }
            }};
}
}  // namespace

void CpuBackend::matmul(const Weight& w, Tensor x, Tensor out) {
    const MatmulTarget target{&w, out};
    matmuls(x, std::span(&target, 1));
}

void CpuBackend::matmuls(Tensor x, std::span<const MatmulTarget> targets) {
    for (const MatmulTarget& t : targets)
        require(x.cols == t.w->in && t.out.rows == x.rows && t.out.cols == t.w->out, ErrorKind::internal,
                "matmul: shape mismatch");
    if (x.rows == 0 || targets.empty()) return;
    if (targets.size() > kMaxMatmulTargets) {
        matmuls(x, targets.first(kMaxMatmulTargets));
        matmuls(x, targets.subspan(kMaxMatmulTargets));
        return;
    }
    const MatmulInputs inputs = convert_inputs(x, targets);
    FixedVector<MatmulPart, kMaxMatmulTargets> parts;
    FixedVector<int64_t, kMaxMatmulTargets + 1> starts;
    starts.push_back(0);
    for (const MatmulTarget& t : targets) {
        parts.push_back(plan(*t.w, x.rows, inputs, t.out));
        starts.push_back(starts.back() + parts.back().n_tasks);
    }
    // Decode splits every product into one range per thread: thread t runs range t of each in
    // turn, and steals from the others' once done (run_decode_share).
    const int threads = pool_.size();
    if (std::all_of(parts.begin(), parts.end(), [&](const MatmulPart& part) {
            return part.n_tasks == threads && part.n_units <= SharedRanges::kMaxUnits;
        })) {
        hand_out_read_ahead();
        const uint16_t tag = ++decode_jobs_;
        pool_.parallel_for_workers(threads, [&](int64_t thread, int worker) {
            run_decode_share(parts, static_cast<int>(thread), worker, tag);
        });
        return;
    }
    upcoming_weights_.clear();  // a batch's threads are seldom idle
    pool_.parallel_for_workers(starts.back(), [&](int64_t task, int worker) {
        size_t p = 0;
        while (task >= starts[p + 1]) ++p;
        parts[p].run(task - starts[p], worker);
    });
}

static_assert(SharedRanges::kMaxParts >= kMaxMatmulTargets, "a decode job's matrices each need a range");

// Thread `thread`'s share of a decode job: its range of each part from the front, then the other
// threads' units from the back of their ranges, last part first (the ranges their owners reach
// last). A thread that nobody robs claims its units a half of those left at a time, ~log2(units)
// compare-and-swaps on its own cache line per part.
void CpuBackend::run_decode_share(std::span<const MatmulPart> parts, int thread, int worker, uint16_t tag) {
    const auto n_parts = static_cast<int>(parts.size());
    for (int p = 0; p < SharedRanges::kMaxParts; ++p)
        decode_ranges_.open(thread, p, tag, p < n_parts ? parts[static_cast<size_t>(p)].range(thread) : UnitRange{});
    for (int p = 0; p < n_parts; ++p)
        for (UnitRange units; !(units = decode_ranges_.claim_front(thread, p)).empty();)
            parts[static_cast<size_t>(p)].run_units(units.begin, units.end, worker);
    const int threads = pool_.size();
    for (int i = 1; i < threads; ++i) {
        const int owner = (thread + i) % threads;
        for (int p = n_parts - 1; p >= 0; --p) {
            const MatmulPart& part = parts[static_cast<size_t>(p)];
            decode_ranges_.open(owner, p, tag, part.range(owner));
            for (UnitRange units; !(units = decode_ranges_.steal_back(owner, p)).empty();) part.run_units(units.begin, units.end, worker);
        }
    }
}

// A decode job splits each matrix into one contiguous range per thread, in order, so thread t's
// share of the next matrices is about their t-th slice (self-attention's split by heads differs by
// a few rows, which only makes a few requests miss). Shares as long as kDecodeShortRunBytes are left
// to the hardware prefetchers, as in panel_part (llama-1b: x0.99-1.00 with them read ahead).
void CpuBackend::hand_out_read_ahead() {
    const int threads = pool_.size();
    for (int t = 0; t < threads; ++t) {
        uint64_t budget = kReadAheadBytes;
        for (const Bytes& w : upcoming_weights_) {
            const uint64_t begin = w.size * static_cast<uint64_t>(t) / static_cast<uint64_t>(threads) / 64 * 64;
            const uint64_t end = w.size * static_cast<uint64_t>(t + 1) / static_cast<uint64_t>(threads);
            if (end - begin >= kDecodeShortRunBytes) continue;
            const uint64_t bytes = std::min(budget, end - begin);
            pool_.read_ahead(t, w.data + begin, bytes);
            budget -= bytes;
        }
    }
    upcoming_weights_.clear();
}

// Lays out the targets' converted inputs (one per dot type: quantized rows, or for F16/BF16 the rows
// rounded to the weight type), their descriptions (one per weight type whose kernels read one) and
// one GEMM panel per thread, then fills them.
CpuBackend::MatmulInputs CpuBackend::convert_inputs(Tensor x, std::span<const MatmulTarget> targets) {
    MatmulInputs inputs;
    uint64_t act_bytes = 0, block_bytes = 0, panel_bytes = 0;
    for (const MatmulTarget& t : targets) {
        const Weight& w = *t.w;
        const DType act_type = vec_dot_type(w.type);
        const bool floats = half_dots(w.type) != nullptr && !packs_halves(w.type);
        const uint64_t act_stride = floats ? sizeof(float) * static_cast<uint64_t>(w.in) : row_bytes(dtype_info(act_type), w.in);
        if (inputs.act(act_type) == nullptr) {
            inputs.acts.push_back({act_type, act_bytes, act_stride});
            act_bytes += aligned(act_stride * static_cast<uint64_t>(x.rows));
        }
        const bool panels = w.layout == kPanelLayout;
        const bool gemm = !panels && gemm_kernel(w, x.rows) != nullptr;
        const KActForm form = act_form(w, x.rows);
        if ((panels || gemm) && inputs.description(w.type, form) == nullptr) {
            const uint64_t row_description = gemm_act_block_bytes(w.type) * static_cast<uint64_t>(blocks_per_row(w));
            inputs.descriptions.push_back({w.type, block_bytes, row_description, nullptr, form});
            block_bytes += aligned(row_description * static_cast<uint64_t>(x.rows));
        }
        if (gemm || (panels && x.rows >= kGemmMinRows))
            panel_bytes = std::max(panel_bytes, aligned(gemm_panel_bytes(w.type, blocks_per_row(w))));
        if (w.type == DType::F16 && packs_halves(w.type) && x.rows > 1)  // where a batch's F16 weights are widened
            panel_bytes = std::max(panel_bytes, aligned(lanes_scratch_bytes(w)));
    }
    uint8_t* acts = aligned_start(act_scratch_, act_bytes);
    uint8_t* blocks = aligned_start(act_blocks_, block_bytes);
    inputs.panels = panel_bytes > 0 ? ScratchPanels{aligned_start(panel_scratch_, panel_bytes * static_cast<uint64_t>(pool_.size())), panel_bytes}
                                    : ScratchPanels{};
    for (MatmulInputs::Slot& slot : inputs.acts) {
        slot.data = acts + slot.offset;
        convert(x, slot);
    }
    for (MatmulInputs::Slot& slot : inputs.descriptions) {
        slot.data = blocks + slot.offset;
        const MatmulInputs::Slot& act = *inputs.act(vec_dot_type(slot.type));
        const int64_t nblocks = static_cast<int64_t>(slot.stride / gemm_act_block_bytes(slot.type));
        const DescribeKKernel describe_k = is_gemm_k_type(slot.type) ? dot_kernels_.describe_k : nullptr;
        pool_.parallel_for(x.rows, [&](int64_t r) {
            const uint8_t* row = act.data + static_cast<uint64_t>(r) * act.stride;
            uint8_t* described = slot.data + static_cast<uint64_t>(r) * slot.stride;
            if (describe_k) describe_k(row, act.stride, 1, nblocks, slot.form, reinterpret_cast<GemmKActBlock*>(described));
            else describe_act_blocks(slot.type, row, act.stride, 1, nblocks, described, slot.form);
        });
    }
    return inputs;
}

// x's rows in one dot type: quantized (the backend's fast quantizer, else the reference), for the
// F16 / BF16 lanes and pairs kernels rounded to halves, or for the exact half kernels rounded to the
// type and kept as floats (those kernels take float queries).
void CpuBackend::convert(Tensor x, const MatmulInputs::Slot& slot) {
    if (half_dots(slot.type) != nullptr && !packs_halves(slot.type)) {
        auto* rounded = reinterpret_cast<float*>(slot.data);
        std::copy(x.data, x.data + x.size(), rounded);
        if (slot.type == DType::F16 && attention_kernels_.round_f16) {
            attention_kernels_.round_f16(rounded, x.size());
        } else {
            for (int64_t i = 0; i < x.size(); ++i)
                rounded[i] = slot.type == DType::F16 ? fp16_to_f32(f32_to_fp16(rounded[i])) : bf16_to_f32(f32_to_bf16(rounded[i]));
        }
        return;
    }
    if (slot.type == DType::F16 && attention_kernels_.store_f16 != nullptr) {
        pool_.parallel_for(x.rows, [&](int64_t r) {
            attention_kernels_.store_f16(x.data + r * x.cols, reinterpret_cast<uint16_t*>(slot.data + static_cast<uint64_t>(r) * slot.stride), x.cols);
        });
        return;
    }
    const QuantizeRowKernel fast_quantize = dot_kernels_.quantize.for_type(slot.type);
    pool_.parallel_for(x.rows, [&](int64_t r) {
        const float* src = x.data + r * x.cols;
        uint8_t* dst = slot.data + static_cast<uint64_t>(r) * slot.stride;
        if (fast_quantize != nullptr) fast_quantize(src, dst, x.cols);
        else quantize_row(slot.type, src, dst, x.cols);
    });
}

MatmulPart CpuBackend::plan(const Weight& w, int64_t act_rows, const MatmulInputs& inputs, Tensor out) const {
    const MatmulInputs::Slot& acts = *inputs.act(vec_dot_type(w.type));
    if (packs_halves(w.type) || half_dots(w.type) != nullptr)
        return half_part(w, acts, act_rows, out, half_dots(w.type), act_rows > 1 ? inputs.panels : ScratchPanels{});
    const GemmKernel blockwise = blockwise_kernel(w);
    const MatmulInputs::Slot* blocks = inputs.description(w.type, act_form(w, act_rows));
    if (blockwise != nullptr)  // decode splits by single panels, as the exact kernels do
        return panel_part(blockwise, act_rows >= kGemmMinRows ? kBlockwisePanels : 1, w, acts, blocks->data, out, inputs.panels);
    if (w.layout == kPanelLayout)
        return panel_part(dot_kernels_.panels.for_type(w.type).gemm, 1, w, acts, blocks->data, out, inputs.panels);
    if (const GemmKernel gemm = gemm_kernel(w, act_rows); gemm != nullptr)
        return gemm_part(gemm, w, acts, blocks->data, out, inputs.panels);
    return row_part(w, acts, out);
}

MatmulPart CpuBackend::plan_rows(const Weight& w, int64_t begin, int64_t end, const MatmulInputs& inputs, float* out) const {
    const bool panels = w.layout == kPanelLayout;
    require(begin >= 0 && begin <= end && end <= w.out && (!panels || (begin % kGemmPanelRows == 0 && end % kGemmPanelRows == 0)),
            ErrorKind::internal, "plan_rows: rows outside the weight or across a panel");
    // Panels and file rows both lie in row order, a fixed number of bytes per row.
    const uint64_t row_stride = row_bytes(dtype_info(w.type), w.in);
    Weight rows = w;
    rows.data = static_cast<const uint8_t*>(w.data) + static_cast<uint64_t>(begin) * row_stride;
    rows.out = end - begin;
    return plan(rows, 1, inputs, Tensor{out, 1, rows.out});
}

// The GEMM kernel for a file-layout weight and a batch of `rows` activation rows, or null (tiles,
// decode kernels or single dots).
GemmKernel CpuBackend::gemm_kernel(const Weight& w, int64_t rows) const {
    return rows >= kGemmMinRows ? dot_kernels_.gemm.for_type(w.type) : nullptr;
}

// Prompt batches of K-type panels in the default arithmetic run each gate panel beside its up panel
// and store only their SwiGLU: the two products are never written (2 x 16 MB per llama-1b layer of a
// 512-token prompt) nor read back. Other batches take matmuls and swiglu, with the same results.
void CpuBackend::matmul_swiglu(const Weight& gate, const Weight& up, Tensor x, Tensor out) {
    const bool batch = x.rows >= kGemmMinRows && blockwise_kernel(gate) != nullptr;
    const GemmKernel kernel = batch ? dot_kernels_.panels.for_type(gate.type).blockwise_swiglu : nullptr;
    const bool alike = up.type == gate.type && up.layout == gate.layout && up.in == gate.in && up.out == gate.out;
    if (kernel == nullptr || !alike || fast_math_.swiglu == nullptr) {
        Backend::matmul_swiglu(gate, up, x, out);
        return;
    }
    require(x.cols == gate.in && out.rows == x.rows && out.cols == gate.out, ErrorKind::internal, "matmul_swiglu: shape mismatch");
    const MatmulTarget target{&gate, out};
    const MatmulInputs inputs = convert_inputs(x, std::span(&target, 1));
    const uint8_t* blocks = inputs.description(gate.type, act_form(gate, x.rows))->data;
    const MatmulPart part = panel_part(kernel, 1, gate, *inputs.act(vec_dot_type(gate.type)), blocks, out, inputs.panels, &up);
    pool_.parallel_for_workers(part.n_tasks, [&](int64_t task, int worker) { part.run(task, worker); });
}

// The blockwise kernel for a repacked K-type weight, or null (exact arithmetic, or none here).
GemmKernel CpuBackend::blockwise_kernel(const Weight& w) const {
    if (exact_ || w.layout != kPanelLayout) return nullptr;
    return dot_kernels_.panels.for_type(w.type).blockwise;
}

// The K-type activation description w's kernel reads for `rows` activation rows: the blockwise
// kernels' form for batches (kGemmMinRows+) or lane order for fewer, else the exact kernels'.
KActForm CpuBackend::act_form(const Weight& w, int64_t rows) const {
    if (blockwise_kernel(w) == nullptr) return exact_k_act_form(w.type);
    return rows >= kGemmMinRows ? dot_kernels_.panels.for_type(w.type).blockwise_batch_form : KActForm::lanes;
}

// F16 / BF16 weights on the lanes and pairs kernels read their activations as halves of the type
// (the reference's rounding, once per matmul); the exact half kernels read them as rounded floats.
bool CpuBackend::packs_halves(DType type) const {
    return !exact_ && dot_kernels_.half_gemm.for_type(type) != nullptr;
}

// F16 / BF16 weights (whose dot type is their own) run on attention's Q.K kernels where there are some.
F16DotsKernel CpuBackend::half_dots(DType type) const {
    return type == DType::F16 ? attention_kernels_.dots_f16 : type == DType::BF16 ? attention_kernels_.dots_bf16 : nullptr;
}

// Weights in kPanelLayout: every row count runs the panel kernel, `panels_per_call` consecutive
// panels per call (the weight's last call may have fewer); decode gives each thread one contiguous
// run of calls (see row_part), a batch takes runs of calls per task and, from kGemmMinRows rows on,
// a scratch per thread for kernels that expand the layout once per batch. With `up` (the fused
// SwiGLU kernels, one panel per call), each call also names the up weight's panel beside w's.
MatmulPart CpuBackend::panel_part(GemmKernel kernel, int panels_per_call, const Weight& w, const MatmulInputs::Slot& acts,
                                  const uint8_t* blocks, Tensor out, ScratchPanels scratch, const Weight* up) const {
    const uint64_t w_stride = row_bytes(dtype_info(w.type), w.in);
    const uint64_t panel_bytes = w_stride * kGemmPanelRows;
    const int64_t n_panels = w.out / kGemmPanelRows;
    const int64_t n_calls = (n_panels + panels_per_call - 1) / panels_per_call;
    const int64_t per_thread = out.rows == 1 ? kDecodeTasksPerThread : kGemmTasksPerThread;
    const int64_t n_tasks = std::min<int64_t>(n_calls, per_thread * pool_.size());
    if (out.rows < kGemmMinRows) scratch = {};
    const auto* weights = static_cast<const uint8_t*>(w.data);
    const int64_t nblocks = blocks_per_row(w);
    const uint8_t* act_rows = acts.data;
    const uint64_t act_stride = acts.stride;
    const auto* up_weights = up != nullptr ? static_cast<const uint8_t*>(up->data) : nullptr;
    // One activation row streams the layout in address order, which the hardware prefetchers follow
    // once a run is long enough; requests for the next panel on top only competed with them
    // (llama-1b decode on 2 threads, AVX-512: Q4_0 x1.14, Q4_K_M x1.10-1.18, Q5_K_M x1.18). Short
    // runs, before the prefetchers ramp up, still gain from the requests (SmolLM2, 40-330 KB a thread:
    // x1.04 over none).
    const uint64_t run_bytes = panel_bytes * static_cast<uint64_t>(n_panels / n_tasks);
    const bool prefetch_next = out.rows > 1 || run_bytes < kDecodeShortRunBytes;
    GemmArgs first{weights, 0, 0, act_rows, act_stride, blocks, out.rows, nblocks, out.data, w.out, nullptr};
    first.up_weights = up_weights;
    const PanelSteps steps{panel_bytes * static_cast<uint64_t>(panels_per_call), int64_t{kGemmPanelRows} * panels_per_call,
                           n_panels * kGemmPanelRows, w_stride};
    return panel_runs(kernel, n_calls, n_tasks, first, steps, [scratch](int worker) { return scratch.of(worker); }, prefetch_next);
}

// Each task takes a run of consecutive panels, so that the kernel can prefetch the panel it does
// next; several runs per thread keep the threads balanced.
MatmulPart CpuBackend::gemm_part(GemmKernel kernel, const Weight& w, const MatmulInputs::Slot& acts,
                                             const uint8_t* blocks, Tensor out, ScratchPanels scratch) const {
    const uint64_t w_stride = row_bytes(dtype_info(w.type), w.in);
    const int64_t n_panels = (w.out + kGemmPanelRows - 1) / kGemmPanelRows;
    const int64_t n_tasks = std::min<int64_t>(n_panels, kGemmTasksPerThread * pool_.size());
    const auto* weights = static_cast<const uint8_t*>(w.data);
    const int64_t nblocks = blocks_per_row(w);
    const int64_t w_out = w.out;
    const uint8_t* act_rows = acts.data;
    const uint64_t act_stride = acts.stride;
    const GemmArgs first{weights, w_stride, 0, act_rows, act_stride, blocks, out.rows, nblocks, out.data, w_out, nullptr};
    const PanelSteps steps{w_stride * kGemmPanelRows, kGemmPanelRows, w_out, w_stride};
    return panel_runs(kernel, n_panels, n_tasks, first, steps, [scratch](int worker) { return scratch.of(worker); }, true);
}

// The file's layout with fewer rows than a GEMM takes: the decode kernels, tiles, or one dot per output
// (K types in the file's layout decode by single dots).
MatmulPart CpuBackend::row_part(const Weight& w, const MatmulInputs::Slot& acts, Tensor out) const {
    const auto* weights = static_cast<const uint8_t*>(w.data);
    const uint64_t w_stride = row_bytes(dtype_info(w.type), w.in);
    const int64_t nblocks = blocks_per_row(w);
    // Decode (and a few rows more) splits the rows into one contiguous range per thread: tasks handed
    // out in turn would interleave the threads' rows, and the hardware prefetchers then stream
    // neither thread's weights (llama-1b Q4_0 tg on 2 threads: 31 t/s interleaved, 51 contiguous).
    const int64_t n_units = (w.out + kRowsPerUnit - 1) / kRowsPerUnit;
    const int64_t n_tasks = out.rows < kGemmMinRows ? std::min<int64_t>(kDecodeTasksPerThread * pool_.size(), n_units) : n_units;
    const int64_t w_out = w.out;
    const auto rows = [=](int64_t begin, int64_t end) { return std::pair{begin * kRowsPerUnit, std::min(w_out, end * kRowsPerUnit)}; };
    const TileArgs base{weights, w_stride, acts.data, acts.stride, nblocks, out.data, w.out};
    // K types in the blockwise arithmetic take its single dots at every batch size, no decode or tile kernel.
    const DotKernel blockwise = exact_ ? nullptr : dot_kernels_.blockwise.for_type(w.type);
    // The decode kernels keep the reference's float steps of 8 weight rows in vector lanes, for up to
    // kDecodeMaxActRows activation rows; the multi-row tiles reuse each unpacked weight block across
    // activation rows but take each output's float steps one by one.
    const TileKernel decode = blockwise == nullptr ? dot_kernels_.decode.for_type(w.type) : nullptr;
    const TileKernel tile = blockwise == nullptr ? dot_kernels_.tiles.for_type(w.type) : nullptr;
    if (decode != nullptr && out.rows <= kDecodeMaxActRows) {
        const int act_rows = static_cast<int>(out.rows);
        return {n_tasks, n_units, [=](int64_t begin_unit, int64_t end_unit, int) {
                    const auto [begin, end] = rows(begin_unit, end_unit);
                    run_decode(decode, base, begin, end, act_rows);
                }};
    }
    if (tile != nullptr && out.rows > 1) {
        return {n_tasks, n_units, [=](int64_t begin_unit, int64_t end_unit, int) {
                    const auto [begin, end] = rows(begin_unit, end_unit);
                    run_tiles(tile, base, begin, end, out.rows);
                }};
    }
    const DotKernel fast = blockwise != nullptr ? blockwise : dot_kernels_.for_type(w.type);
    const DType type = w.type;
    const int64_t in = w.in;
    const uint8_t* act_rows = acts.data;
    const uint64_t act_stride = acts.stride;
    return {n_tasks, n_units, [=](int64_t begin_unit, int64_t end_unit, int) {
                const auto [begin, end] = rows(begin_unit, end_unit);
                for (int64_t o = begin; o < end; ++o)
                    for (int64_t r = 0; r < out.rows; ++r) {
                        const uint8_t* weight_row = weights + o * w_stride;
                        const uint8_t* act_row = act_rows + r * act_stride;
                        out.data[r * w_out + o] = fast ? fast(weight_row, act_row, nblocks) : vec_dot(type, weight_row, act_row, in);
                    }
            }};
}

}  // namespace hearth::cpu
