// Decode's self-attention as one job (Backend::self_attention). Run op by op it is the Q/K/V job, the
// calling thread's biases, norms, RoPE and cache store, then the attention job: two hand-offs and a
// serial stretch in which one thread reads what the others wrote (~400 ns a cache line when the
// threads sit on different CPU dies). Here each thread takes a contiguous share of the query heads
// and does all of it for them: the Q rows of its heads and the K and V rows of their KV groups, the
// per-head steps, the store of each group whose first head it holds, and attention. A thread whose
// first group began on an earlier thread computes that group's keys and values too (SmolLM2: 9
// heads in 3 groups on 2 threads, 576 and 512 rows against 480 each) and reads the current
// position's from its own copy while the group's owner stores them. Every step is the separate
// op's arithmetic, so the results are the same bits.
#include <algorithm>
#include <vector>

#include "backends/cpu/attention_flash.h"
#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/cpu_kv_pages.h"
#include "backends/cpu/rope_rows.h"
#include "core/error.h"

namespace hearth::cpu {
namespace {

bool is_vector(const Weight* w, int64_t n) { return w == nullptr || (w->type == DType::F32 && w->in == n); }

void add_slice(float* x, const Weight* bias, int64_t from, int64_t n) {
    if (bias == nullptr) return;
    const float* b = static_cast<const float*>(bias->data) + from;
    for (int64_t i = 0; i < n; ++i) x[i] += b[i];
}

void run_part(const MatmulPart& part, int worker) {
    for (int64_t task = 0; task < part.n_tasks; ++task) part.run(task, worker);
}

}  // namespace

bool CpuBackend::splits_by_heads(Tensor h, const SelfAttention& s, const CpuKvPages& kv, const BatchRows& rows) const {
    const AttentionParams& p = s.attention;
    const KvLayout& layout = kv.layout();
    if (h.rows != 1 || pool_.size() == 1 || rows.positions.size() != 1 || rows.sequences.size() != 1) return false;
    if (p.n_head <= 0 || p.n_head_kv <= 0 || p.n_head % p.n_head_kv != 0 || p.head_dim <= 0 ||
        layout.kv_dim != p.n_head_kv * p.head_dim || layout.head_dim != p.head_dim ||
        p.head_dim % dtype_info(layout.type).block_elems != 0 ||
        flash_kernel(layout.type, p.head_dim) == nullptr)
        return false;
    const auto splits = [&](const Weight* w, int32_t heads) {
        return w->in == h.cols && w->out == static_cast<int64_t>(heads) * p.head_dim &&
               (w->layout != kPanelLayout || p.head_dim % kGemmPanelRows == 0);
    };
    const int64_t q_dim = static_cast<int64_t>(p.n_head) * p.head_dim;
    return splits(s.wq, p.n_head) && splits(s.wk, p.n_head_kv) && splits(s.wv, p.n_head_kv) && is_vector(s.bq, q_dim) &&
           is_vector(s.bk, layout.kv_dim) && is_vector(s.bv, layout.kv_dim) && is_vector(s.q_norm, p.head_dim) &&
           is_vector(s.k_norm, p.head_dim);
}

void CpuBackend::self_attention(Tensor h, const SelfAttention& s, KvPages& pages, int32_t layer, const BatchRows& rows,
                                Tensor out) {
    CpuKvPages& kv = as_cpu(pages);
    if (!splits_by_heads(h, s, kv, rows)) {  // prompts, one thread, the exact arithmetic: op by op
        Backend::self_attention(h, s, pages, layer, rows, out);
        return;
    }
    const AttentionParams& p = s.attention;
    require(layer >= 0 && layer < kv.layout().n_layer && out.rows == 1 && out.cols == static_cast<int64_t>(p.n_head) * p.head_dim,
            ErrorKind::internal, "self_attention: shape mismatch");
    check_rope(s.rope, p.head_dim);  // what the rope op would throw
    const int32_t hd = p.head_dim, group = p.n_head / p.n_head_kv, kv_dim = kv.layout().kv_dim, pos = rows.positions[0];
    const int32_t first = p.sliding_window > 0 ? std::max(0, pos - p.sliding_window + 1) : 0;
    const int threads = pool_.size();
    const DType kv_type = kv.layout().type;
    const int64_t slot = kv_slot(kv, rows, 0, pos);
    const int64_t head_bytes = static_cast<int64_t>(row_bytes(dtype_info(kv_type), hd));
    const FlashTileKernel flash = flash_kernel(kv_type, hd);
    // A row over two chunks of keys or more whose groups the shares would split (SmolLM2's 3 on 2
    // threads) attends in a job of its own that reads every key once (flash_decode).
    const bool attend_apart = p.n_head_kv % threads != 0 && group <= kFlashMaxQueries &&
                              pos / kFlashChunkKeys - first / kFlashChunkKeys >= 1;

    const float* cos_sin = step_rope_angles(s.rope, rows.positions);
    const Tensor q = alloc(1, out.cols);
    // Per thread: its groups' keys and values at their places in a kv_dim row each, then the bytes
    // of the current position's key and value for a group it does not store (at most one).
    const int64_t own_offset = 2LL * kv_dim, thread_floats = (own_offset + (2 * head_bytes + 3) / 4 + 15) / 16 * 16;
    const Tensor per_thread = alloc(threads, thread_floats);
    const MatmulTarget targets[] = {{s.wq, q}, {s.wk, q}, {s.wv, q}};  // conversion reads the weights only
    const MatmulInputs inputs = convert_inputs(h, targets);

    hand_out_read_ahead();
    pool_.parallel_for_workers(threads, [&](int64_t t, int worker) {
        const int32_t h0 = first_head_of_share(t, p.n_head, threads), h1 = first_head_of_share(t + 1, p.n_head, threads);
        if (h0 == h1) return;
        const int32_t g0 = h0 / group, g1 = (h1 - 1) / group + 1;
        float* qh = q.data + h0 * hd;
        float* kh = per_thread.data + t * thread_floats + g0 * hd;
        float* vh = kh + kv_dim;
        run_part(plan_rows(*s.wq, h0 * hd, h1 * hd, inputs, qh), worker);
        run_part(plan_rows(*s.wk, g0 * hd, g1 * hd, inputs, kh), worker);
        run_part(plan_rows(*s.wv, g0 * hd, g1 * hd, inputs, vh), worker);
        const int32_t n_q = h1 - h0, n_kv = g1 - g0;
        add_slice(qh, s.bq, h0 * hd, n_q * hd);
        add_slice(kh, s.bk, g0 * hd, n_kv * hd);
        add_slice(vh, s.bv, g0 * hd, n_kv * hd);
        for (int32_t i = 0; s.q_norm && i < n_q; ++i) norm_row(qh + i * hd, *s.q_norm, s.norm_eps, qh + i * hd);
        for (int32_t i = 0; s.k_norm && i < n_kv; ++i) norm_row(kh + i * hd, *s.k_norm, s.norm_eps, kh + i * hd);
        rope_heads(s.rope, cos_sin, n_q, hd, qh);
        rope_heads(s.rope, cos_sin, n_kv, hd, kh);
        if (s.query_scale != 1.0f)
            for (int64_t i = 0; i < static_cast<int64_t>(n_q) * hd; ++i) qh[i] *= s.query_scale;
        auto* own = reinterpret_cast<uint8_t*>(per_thread.data + t * thread_floats + own_offset);
        for (int32_t g = g0; g < g1; ++g) {
            const bool stores = g * group >= h0;  // the thread holding the group's first head
            store_kv_values(kh + (g - g0) * hd, stores ? kv.key(layer, slot, g) : own, hd, kv_type);
            store_kv_values(vh + (g - g0) * hd, stores ? kv.value(layer, slot, g) : own + head_bytes, hd, kv_type);
        }
        if (attend_apart) return;
        std::vector<float>& q16 = attention_scratch_[static_cast<size_t>(worker)].q16;
        for (int32_t head = h0; head < h1;) {  // a group's heads at a time, as many as a tile call takes
            const int32_t g = head / group, end = std::min({h1, (g + 1) * group, head + kFlashMaxQueries});
            q16.assign(q.data + static_cast<int64_t>(head) * hd, q.data + static_cast<int64_t>(end) * hd);
            round_to_f16(q16.data(), static_cast<int64_t>(q16.size()));
            FlashKeys keys{flash, kv, layer, rows, 0, g, hd, p.scale};
            if (g * group < h0) {
                keys.own_pos = pos;
                keys.own_key = own;
                keys.own_value = own + head_bytes;
            }
            int32_t lasts[kFlashMaxQueries];
            float* outs[kFlashMaxQueries];
            for (int32_t i = 0; i < end - head; ++i) {
                lasts[i] = pos;
                outs[i] = out.data + static_cast<int64_t>(head + i) * hd;
            }
            flash_attend(keys, end - head, q16.data(), lasts, first, outs);
            head = end;
        }
    });
    if (attend_apart) {
        const bool decoded = flash_decode(flash, kv, layer, q, rows, p, out);
        require(decoded, ErrorKind::internal, "self_attention: the row has one chunk of keys");
    }
}

}  // namespace hearth::cpu
