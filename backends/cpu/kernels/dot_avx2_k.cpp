// AVX2 dots of the K types with Q8_K activations, bit-identical to core/quant/quant_k.cpp: each block
// is put in lane order (avx2_k_blocks.h), so that one YMM register holds the reference's 8 int32 lanes
// and another its 8 float lanes, and every lane sees the same integers and float steps in the same
// order. Target attribute: see dot_avx2.cpp.
#include "backends/cpu/kernels/avx2_k_blocks.h"
#include "backends/cpu/kernels/dot_kernels.h"

namespace hearth::cpu {
namespace {

template <class T>
HEARTH_AVX2 float dot_k(const void* weight_row, const void* act_row, int64_t nblocks) {
    const auto* x = static_cast<const typename T::Block*>(weight_row);
    const auto* y = static_cast<const BlockQ8_K*>(act_row);
    KAccum acc = zero_accum();
    for (int64_t i = 0; i < nblocks; ++i) {
        const typename T::Act a = T::prepare(y[i]);
        T::template add<1>(x[i], &a, &acc);
    }
    return finish(acc);
}

}  // namespace

void add_avx2_k_kernels(DotKernels& kernels) {
    kernels.q4_k = dot_k<Q4K>;
    kernels.q5_k = dot_k<Q5K>;
    kernels.q6_k = dot_k<Q6K>;
}

}  // namespace hearth::cpu
