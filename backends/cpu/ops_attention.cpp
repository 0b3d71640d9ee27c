// Attention over the paged KV cache. With CpuOptions::exact, ggml's roundings for its f16 cache: q
// is rounded to f16 before Q.K, dot products accumulate float products in double, the softmax sum
// is taken in double, and probabilities are rounded to f16 before multiplying V (P.V summed in
// double); Q8_0 pages are dequantized a head at a time and then follow the same steps. Without it,
// flash attention (attention_flash.h) where the kernels take the head width, else the softmax and
// P.V of fast_math.h in float. Keys are visited in position order, a page at a time, so the result
// is the same whatever the pages or the rest of the batch.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "backends/cpu/attention_flash.h"
#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/cpu_kv_pages.h"
#include "core/error.h"
#include "core/quant/half.h"
#include "core/quant/quant.h"

namespace hearth::cpu {
namespace {

float round_f16(float x) { return fp16_to_f32(f32_to_fp16(x)); }

// One head's keys or values in a run of consecutive slots, in the page's storage type.
struct HeadRows {
    const uint8_t* first;  // the head's values in the run's first slot
    int64_t stride;        // bytes between slots
    DType type;
    int32_t head_dim;

    const uint16_t* f16(int32_t i) const { return reinterpret_cast<const uint16_t*>(first + i * stride); }
    // Row i as floats: F16 widened, Q8_0 dequantized (scratch holds head_dim floats).
    const float* floats(int32_t i, float* scratch) const {
        if (type == DType::F16) {
            const uint16_t* h = f16(i);
            for (int32_t d = 0; d < head_dim; ++d) scratch[d] = fp16_to_f32(h[d]);
        } else {
            dequantize_row(type, first + i * stride, scratch, head_dim);
        }
        return scratch;
    }
};

// Tasks take whole KV groups when that still gives every thread this many tasks,
constexpr int64_t kGroupTasksPerThread = 2;
// and several rows when that still gives every thread this many (the last rows of a causal prompt
// cost more than the first).
constexpr int64_t kUnitTasksPerThread = 16;
// The most query heads one pass of the Q.K kernels widens each key block for (attention_avx512.cpp).
constexpr int32_t kMaxPairedHeads = 8;

// Batch rows that one attention task takes: one, or up to `most` rows of one sequence at consecutive
// positions (a prompt's), whose keys are the same but for the later rows' last ones. The kernels read
// each key once for all of them: the Q.K kernels for two rows' heads (llama-1b Q5_K_M pp512: Q.K
// 7.5% -> 5.8% of the time), flash attention for up to kFlashMaxQueries query vectors.
struct RowUnit {
    int64_t row;
    int32_t rows;
};

std::vector<RowUnit> row_units(const BatchRows& rows, int32_t most) {
    std::vector<RowUnit> units;
    const int64_t n = static_cast<int64_t>(rows.positions.size());
    for (int64_t r = 0; r < n;) {
        int32_t count = 1;
        while (count < most && r + count < n && rows.sequences[r + count] == rows.sequences[r] &&
               rows.positions[r + count] == rows.positions[r] + count)
            ++count;
        units.push_back({r, count});
        r += count;
    }
    return units;
}

// For each of `heads` rows of n scores: probs[j] = exp(dots[j] * scale - max) / sum (the sum taken in
// double, key after key, as the reference does); the caller rounds them to f16. The heads advance
// together so that their sums form independent chains.
void softmax_heads(const double* dots, int32_t heads, int32_t n, float scale, float* probs) {
    std::vector<float> max_score(heads, -std::numeric_limits<float>::infinity());
    for (int32_t h = 0; h < heads; ++h)
        for (int32_t j = 0; j < n; ++j) {
            float& s = probs[static_cast<int64_t>(h) * n + j];
            s = static_cast<float>(dots[static_cast<int64_t>(h) * n + j]) * scale;
            max_score[h] = std::max(max_score[h], s);
        }
    std::vector<double> sum(heads, 0.0);
    for (int32_t j = 0; j < n; ++j)
        for (int32_t h = 0; h < heads; ++h) {
            float& s = probs[static_cast<int64_t>(h) * n + j];
            s = std::exp(s - max_score[h]);
            sum[h] += s;
        }
    for (int32_t h = 0; h < heads; ++h) {
        const float inv_sum = static_cast<float>(1.0 / sum[h]);
        for (int32_t j = 0; j < n; ++j) probs[static_cast<int64_t>(h) * n + j] *= inv_sum;
    }
}

double dot_double(const float* q16, const float* key, int32_t n) {
    double dot = 0.0;
    for (int32_t d = 0; d < n; ++d) dot += static_cast<double>(q16[d] * key[d]);
    return dot;
}

}  // namespace

void CpuBackend::attention(KvPages& pages, int32_t layer, Tensor q, const BatchRows& rows,
                           const AttentionParams& p, Tensor out) {
    CpuKvPages& kv = as_cpu(pages);
    const int32_t kv_dim = kv.layout().kv_dim;
    const int32_t page_size = kv.layout().page_size;
    require(p.n_head > 0 && p.n_head_kv > 0 && p.n_head % p.n_head_kv == 0 &&
                q.cols == static_cast<int64_t>(p.n_head) * p.head_dim && out.rows == q.rows && out.cols == q.cols &&
                kv_dim == p.n_head_kv * p.head_dim && kv.layout().head_dim == p.head_dim &&
                q.rows == static_cast<int64_t>(rows.positions.size()) &&
                rows.sequences.size() == rows.positions.size() && layer >= 0 && layer < kv.layout().n_layer,
            ErrorKind::internal, "attention: shape mismatch");
    const DType type = kv.layout().type;
    require(p.head_dim % dtype_info(type).block_elems == 0, ErrorKind::unsupported, [&] {
        return "attention heads of " + std::to_string(p.head_dim) + " values are not whole " + std::string(dtype_info(type).name) + " blocks";
    });
    const int64_t head_bytes = kv.head_bytes();  // also the stride from one slot to the next
    const int32_t group = p.n_head / p.n_head_kv;
    // With enough tasks, one task takes all heads of a KV group, which read the same keys and values
    // (the kernels widen each key once for all of them); with fewer groups than that, one head per
    // task so that every thread has work (SmolLM2 decodes one row with 3 KV groups on 2 threads).
    const bool grouped = q.rows * p.n_head_kv >= kGroupTasksPerThread * pool_.size();
    const int32_t task_heads = grouped ? group : 1;
    const int32_t tasks_per_unit = p.n_head / task_heads;
    const int32_t hd = p.head_dim;
    const bool f16_dots = type == DType::F16 && attention_kernels_.dots_f16 != nullptr;
    const FlashTileKernel flash = flash_kernel(type, hd);
    // Rows per unit: one under a sliding window (a unit's rows share its first key); else as many as
    // the kernels take at once while every thread still gets kUnitTasksPerThread tasks.
    const int64_t enough_units = (kUnitTasksPerThread * pool_.size() + tasks_per_unit - 1) / tasks_per_unit;
    const int32_t kernel_rows = flash ? kFlashMaxQueries / task_heads : f16_dots && 2 * task_heads <= kMaxPairedHeads ? 2 : 1;
    const int32_t unit_rows = p.sliding_window > 0 || !grouped ? 1 : std::clamp<int32_t>(static_cast<int32_t>(q.rows / enough_units), 1, kernel_rows);
    const std::vector<RowUnit> units = row_units(rows, unit_rows);
    // The vector softmax acts on each row alone, so unlike the blockwise matmul it may serve every
    // batch size without making a row depend on the rest of its batch.
    const SoftmaxKernel fast_softmax = exact_ ? nullptr : fast_math_.softmax;
    const F16AxpyKernel axpy = !exact_ && fast_math_.axpy_f16 ? fast_math_.axpy_f16 : attention_kernels_.axpy_f16;
    // Query heads [h0, h0 + heads) of one KV group for the unit's rows.
    const auto run_heads = [&](const RowUnit& unit, int32_t h0, int32_t heads, int worker) {
        AttentionScratch& scratch = attention_scratch_[static_cast<size_t>(worker)];
        const int32_t kv_head = h0 / group;
        const int32_t last = rows.positions[unit.row + unit.rows - 1];  // the unit's rows end here
        const int32_t first = p.sliding_window > 0 ? std::max(0, last - p.sliding_window + 1) : 0;
        const int32_t n_keys = last - first + 1;
        const int32_t unit_heads = unit.rows * heads;  // row u's head h at u * heads + h

        std::vector<float>& q16 = scratch.q16;
        q16.resize(static_cast<size_t>(unit_heads) * hd);
        for (int32_t u = 0; u < unit.rows; ++u) {
            const float* qrow = q.data + (unit.row + u) * q.cols + static_cast<int64_t>(h0) * hd;
            std::copy(qrow, qrow + static_cast<int64_t>(heads) * hd, q16.data() + static_cast<int64_t>(u) * heads * hd);
        }
        round_to_f16(q16.data(), static_cast<int64_t>(q16.size()));
        if (flash) {  // query vector i is row i / heads's head i % heads; up to kFlashMaxQueries per pass
            const FlashKeys keys{flash, kv, layer, rows, unit.row, h0 / group, hd, p.scale};
            for (int32_t q0 = 0; q0 < unit_heads; q0 += kFlashMaxQueries) {
                const int32_t pass = std::min(kFlashMaxQueries, unit_heads - q0);
                int32_t lasts[kFlashMaxQueries];
                float* outs[kFlashMaxQueries];
                for (int32_t i = 0; i < pass; ++i) {
                    const int64_t r = unit.row + (q0 + i) / heads;
                    lasts[i] = rows.positions[r];
                    outs[i] = out.data + r * out.cols + static_cast<int64_t>(h0 + (q0 + i) % heads) * hd;
                }
                flash_attend(keys, pass, q16.data() + static_cast<int64_t>(q0) * hd, lasts, first, outs);
            }
            return;
        }

        std::vector<double>& dots = scratch.dots;
        dots.resize(static_cast<size_t>(unit_heads) * n_keys);  // head h at h * n_keys
        scratch.key.resize(static_cast<size_t>(hd));
        // Runs of consecutive slots, one per page, up to `end`; each run's slots are requested one run ahead.
        const auto run_length = [&](int32_t j, int32_t end) { return std::min(end + 1, (j / page_size + 1) * page_size) - j; };
        const auto prefetch_run = [&](bool values, int64_t r, int32_t j, int32_t end) {
            if (j > end) return;
            const int64_t slot = kv_slot(kv, rows, r, j);
            prefetch_kv(values ? kv.value(layer, slot, kv_head) : kv.key(layer, slot, kv_head), run_length(j, end) * head_bytes);
        };
        prefetch_run(false, unit.row, first, last);
        for (int32_t j = first; j <= last;) {
            const int32_t run = run_length(j, last);
            prefetch_run(false, unit.row, j + run, last);
            const HeadRows keys{kv.key(layer, kv_slot(kv, rows, unit.row, j), kv_head), head_bytes, type, hd};
            double* run_dots = dots.data() + (j - first);
            if (f16_dots) {
                attention_kernels_.dots_f16(q16.data(), hd, unit_heads, keys.f16(0), hd, run, hd, run_dots, n_keys);
            } else {
                for (int32_t i = 0; i < run; ++i) {
                    const float* key = keys.floats(i, scratch.key.data());
                    for (int32_t h = 0; h < unit_heads; ++h)
                        run_dots[static_cast<int64_t>(h) * n_keys + i] = dot_double(q16.data() + h * hd, key, hd);
                }
            }
            j += run;
        }
        for (int32_t u = 0; u < unit.rows; ++u) {
            const int64_t r = unit.row + u;
            // The first row of a pair sees one key fewer: its dots are the head's first row_keys.
            const int32_t row_keys = rows.positions[r] - first + 1;
            const double* row_dots = dots.data() + static_cast<int64_t>(u) * heads * n_keys;
            // Softmax per head; the probabilities are rounded to f16 as the reference does before P.V.
            std::vector<float>& probs = scratch.probs;
            probs.resize(static_cast<size_t>(heads) * row_keys);
            const auto softmax = [&](const double* d, int32_t count, float* out_probs) {
                if (fast_softmax) fast_softmax(d, count, row_keys, p.scale, out_probs);
                else softmax_heads(d, count, row_keys, p.scale, out_probs);
            };
            if (row_keys == n_keys) {
                softmax(row_dots, heads, probs.data());  // the heads' sums advance together
            } else {
                for (int32_t h = 0; h < heads; ++h)
                    softmax(row_dots + static_cast<int64_t>(h) * n_keys, 1, probs.data() + static_cast<int64_t>(h) * row_keys);
            }
            round_to_f16(probs.data(), static_cast<int64_t>(probs.size()));

            std::vector<double>& acc = scratch.acc;
            acc.assign(static_cast<size_t>(heads) * hd, 0.0);
            const int32_t row_last = rows.positions[r];
            prefetch_run(true, r, first, row_last);
            for (int32_t j = first; j <= row_last;) {  // values in position order, a page run at a time
                const int32_t run = run_length(j, row_last);
                prefetch_run(true, r, j + run, row_last);
                const HeadRows values{kv.value(layer, kv_slot(kv, rows, r, j), kv_head), head_bytes, type, hd};
                const float* run_probs = probs.data() + (j - first);
                if (type == DType::F16 && axpy) {
                    axpy(acc.data(), hd, run_probs, row_keys, heads, values.f16(0), hd, run, hd);
                } else {
                    for (int32_t i = 0; i < run; ++i) {
                        const float* v = values.floats(i, scratch.key.data());
                        for (int32_t h = 0; h < heads; ++h) {
                            const float prob = run_probs[static_cast<int64_t>(h) * row_keys + i];
                            double* acc_h = acc.data() + h * hd;
                            for (int32_t d = 0; d < hd; ++d) acc_h[d] += static_cast<double>(prob * v[d]);
                        }
                    }
                }
                j += run;
            }
            float* orow = out.data + r * out.cols + static_cast<int64_t>(h0) * hd;
            for (int64_t d = 0; d < static_cast<int64_t>(heads) * hd; ++d) orow[d] = static_cast<float>(acc[d]);
        }
    };
    const int64_t n_tasks = static_cast<int64_t>(units.size()) * tasks_per_unit;
    const int threads = pool_.size();
    if (units.size() > 1 || n_tasks <= threads) {
        pool_.parallel_for_workers(n_tasks, [&](int64_t task, int worker) {
            const int32_t h0 = static_cast<int32_t>(task % tasks_per_unit) * task_heads;
            run_heads(units[static_cast<size_t>(task / tasks_per_unit)], h0, task_heads, worker);
        });
        return;
    }
    if (flash && threads > 1 && units[0].rows == 1 && group <= kFlashMaxQueries && flash_decode(flash, kv, layer, q, rows, p, out))
        return;
    // One row's heads all cost the same: one contiguous share of the heads per thread (the calling
    // thread, which starts first, taking the larger), without the shared task counter (a cache-line
    // transfer per task), a KV group's worth at a time (SmolLM2: heads 0-2 and 3-4, then 5 and 6-8).
    pool_.parallel_for_workers(threads, [&](int64_t t, int worker) {
        for (int32_t h = first_head_of_share(t, p.n_head, threads), end = first_head_of_share(t + 1, p.n_head, threads); h < end;) {
            const int32_t group_end = std::min(end, (h / group + 1) * group);
            run_heads(units[0], h, group_end - h, worker);
            h = group_end;
        }
    });
}

FlashTileKernel CpuBackend::flash_kernel(DType kv_type, int32_t head_dim) const {
    if (exact_ || head_dim % kFlashDimStep != 0 || head_dim > kFlashMaxDim) return nullptr;
    return kv_type == DType::F16 ? fast_math_.flash_f16 : kv_type == DType::Q8_0 ? fast_math_.flash_q8_0 : nullptr;
}

void CpuBackend::round_to_f16(float* values, int64_t n) const {
    if (attention_kernels_.round_f16) attention_kernels_.round_f16(values, n);
    else for (int64_t i = 0; i < n; ++i) values[i] = round_f16(values[i]);
}

bool CpuBackend::flash_decode(FlashTileKernel flash, CpuKvPages& kv, int32_t layer, Tensor q, const BatchRows& rows,
                              const AttentionParams& p, Tensor out) {
    const int32_t pos = rows.positions[0];
    const int32_t first = p.sliding_window > 0 ? std::max(0, pos - p.sliding_window + 1) : 0;
    const int32_t c_first = first / kFlashChunkKeys, chunks = pos / kFlashChunkKeys + 1 - c_first;
    if (chunks < 2) return false;
    const int32_t hd = p.head_dim, group = p.n_head / p.n_head_kv, threads = pool_.size();
    const int64_t floats = flash_partial_floats(hd), chunk_stride = p.n_head * floats;
    flash_partials_.resize(static_cast<size_t>(chunks * chunk_stride));
    const auto chunk_keys = [&](int64_t task) {  // tasks: group-major (group, chunk) pairs
        const int32_t c = c_first + static_cast<int32_t>(task % chunks);
        return std::min(pos + 1, (c + 1) * kFlashChunkKeys) - std::max(first, c * kFlashChunkKeys);
    };
    const int64_t n_pairs = static_cast<int64_t>(p.n_head_kv) * chunks;
    const int64_t total_keys = static_cast<int64_t>(p.n_head_kv) * (pos - first + 1);
    pool_.parallel_for_workers(threads, [&](int64_t t, int worker) {
        // Thread t's pairs: those whose middle key falls in its even share of all keys.
        int64_t begin = 0, end = 0;
        for (int64_t task = 0, keys_before = 0; task < n_pairs; keys_before += chunk_keys(task++)) {
            const int64_t middle_twice = 2 * keys_before + chunk_keys(task);
            if (middle_twice * threads < 2 * t * total_keys) begin = task + 1;
            if (middle_twice * threads < 2 * (t + 1) * total_keys) end = task + 1;
        }
        std::vector<float>& q16 = attention_scratch_[static_cast<size_t>(worker)].q16;
        for (int64_t task = begin; task < end;) {  // a run of one group's chunks at a time
            const int32_t g = static_cast<int32_t>(task / chunks);
            const int64_t segment_end = std::min(end, static_cast<int64_t>(g + 1) * chunks);
            q16.assign(q.data + static_cast<int64_t>(g) * group * hd, q.data + static_cast<int64_t>(g + 1) * group * hd);
            round_to_f16(q16.data(), static_cast<int64_t>(q16.size()));
            const int32_t c0 = c_first + static_cast<int32_t>(task % chunks);
            const int32_t c1 = c_first + static_cast<int32_t>((segment_end - 1) % chunks) + 1;
            flash_partials(FlashKeys{flash, kv, layer, rows, 0, g, hd, p.scale}, group, q16.data(), first, pos,
                           c0, c1, flash_partials_.data() + (c0 - c_first) * chunk_stride + g * group * floats, chunk_stride);
            task = segment_end;
        }
    });
    for (int32_t h = 0; h < p.n_head; ++h)
        flash_combine(flash_partials_.data() + h * floats, chunks, chunk_stride, hd, out.data + static_cast<int64_t>(h) * hd);
    return true;
}

}  // namespace hearth::cpu
