#pragma once
// How the AVX-512 GEMM kernels store a panel's outputs (16 floats per activation row, the rows a whole
// output row apart). A prompt batch's outputs outgrow the caches before the next op reads them, so
// each store would first read its line from memory: there, full aligned panels stream past the
// caches instead (llama-1b Q5_K_M pp512 +4-10% on 2 threads). Include only from files whose every
// caller carries HEARTH_AVX512.
#include <cstdint>

#include "backends/cpu/kernels/avx512_blocks.h"
#include "backends/cpu/kernels/dot_kernels.h"

namespace hearth::cpu {
namespace {

inline constexpr uint64_t kStreamedOutputBytes = uint64_t{4} << 20;

struct PanelOutputs {
    const GemmArgs& args;
    __mmask16 rows;  // the panel's weight rows
    bool stream;

    explicit PanelOutputs(const GemmArgs& a)
        : args(a),
          rows(static_cast<__mmask16>((1u << a.weight_rows) - 1)),
          stream(a.weight_rows == kGemmPanelRows && a.out_stride % 16 == 0 && reinterpret_cast<uintptr_t>(a.out) % 64 == 0 &&
                 static_cast<uint64_t>(a.act_rows) * static_cast<uint64_t>(a.out_stride) * sizeof(float) >= kStreamedOutputBytes) {}

    // Activation row c's outputs.
    HEARTH_AVX512 void store(int64_t c, __m512 v) const {
        float* dst = args.out + c * args.out_stride;
        if (stream) _mm512_stream_ps(dst, v);
        else _mm512_mask_storeu_ps(dst, rows, v);
    }
    // Streamed stores are weakly ordered: fence them before the thread reports its task done.
    HEARTH_AVX512 void finish() const {
        if (stream) _mm_sfence();
    }
};

}  // namespace
}  // namespace hearth::cpu
