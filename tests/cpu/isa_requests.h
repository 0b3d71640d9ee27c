#pragma once
// The instruction sets a CPU backend can be asked for on this machine, the scalar reference first.
#include <vector>

#include "backends/cpu/kernels/isa.h"

namespace hearth::cpu {

inline std::vector<IsaRequest> isa_requests_here() {
    const CpuFeatures cpu = detect_cpu_features();
    std::vector<IsaRequest> isas{IsaRequest::scalar};
    if (cpu.avx2) isas.push_back(IsaRequest::avx2);
    if (cpu.avx512) isas.push_back(IsaRequest::avx512);
    if (cpu.neon_dotprod) isas.push_back(IsaRequest::neon);
    return isas;
}

}  // namespace hearth::cpu
