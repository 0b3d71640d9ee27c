#include "backends/cpu/cpu_backend.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "backends/cpu/cpu_kv_pages.h"
#include "backends/cpu/cpu_threads.h"
#include "core/error.h"
#include "core/quant/quant.h"

namespace hearth::cpu {
namespace {

// The file's copy of a placed matrix is not read again: let the kernel reclaim its pages now
// (MADV_PAGEOUT keeps the contents, so this is safe on any memory; without it, clean file pages
// would stay resident beside the repacked copy until memory runs short).
void release_pages(const uint8_t* data, uint64_t bytes) {
    const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    const uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + page - 1) / page * page;
    const uintptr_t end = (reinterpret_cast<uintptr_t>(data) + bytes) / page * page;
#if defined(MADV_PAGEOUT)
    if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_PAGEOUT);  // advice only
#endif
}

}  // namespace

CpuBackend::CpuBackend(const CpuOptions& options)
    : isa_(select_isa(options.isa, std::getenv("HEARTH_CPU_ISA"), detect_cpu_features())),
      exact_(options.exact),
      dot_kernels_(dot_kernels_for(isa_)),
      attention_kernels_(attention_kernels_for(isa_)),
      fast_math_(fast_math_kernels_for(isa_)),
      pool_(options.n_threads > 0 ? options.n_threads : default_threads()),
      attention_scratch_(static_cast<size_t>(pool_.size())),
      decode_ranges_(pool_.size()) {}

std::string CpuBackend::device_description() const {
    return "CPU, " + std::to_string(pool_.size()) + " threads, " + std::string(isa_name(isa_));
}

Weight CpuBackend::upload(const gguf::TensorInfo& tensor) {
    const DTypeInfo& info = dtype_info(tensor.type);
    require(info.supported, ErrorKind::unsupported,
            "tensor '" + tensor.name + "' has type " + std::string(info.name) +
                ", which Hearth cannot compute with; supported: " + std::string(supported_dtype_names()));
    require(tensor.shape.size() <= 2, ErrorKind::unsupported,
            "tensor '" + tensor.name + "' has " + std::to_string(tensor.shape.size()) + " dimensions; expected at most 2");
    Weight weight;
    weight.type = tensor.type;
    weight.in = tensor.shape.empty() ? 1 : tensor.shape[0];
    weight.out = tensor.shape.size() == 2 ? tensor.shape[1] : 1;
    weight.data = tensor.data;  // vectors stay in the mapping, which outlives the model's weights
    if (tensor.shape.size() == 2) {
        const DTypeInfo& act = dtype_info(vec_dot_type(tensor.type));
        require(weight.in % act.block_elems == 0, ErrorKind::unsupported,
                "tensor '" + tensor.name + "': row length " + std::to_string(weight.in) +
                    " is not a multiple of the " + std::string(act.name) + " block size");
        place(tensor, weight);
    }
    return weight;
}

// Every matrix is copied once into huge-page memory (huge_page_memory.h) and the file's pages are
// released. Types with a panel kernel are repacked on the way into 16-row panels (same size as the
// file's bytes), which the GEMM kernels then read as one stream without repacking per matmul; the
// others, and the embedding table (embed() looks rows up in it), keep the file's layout.
void CpuBackend::place(const gguf::TensorInfo& tensor, Weight& weight) {
    uint8_t* buffer = weight_memory_.allocate(tensor.nbytes);
    const PanelKernel panel = dot_kernels_.panels.for_type(tensor.type);
    if (panel.repack == nullptr || weight.out % kGemmPanelRows != 0 || tensor.name == "token_embd.weight") {
        std::memcpy(buffer, tensor.data, tensor.nbytes);
    } else {
        const int64_t nblocks = weight.in / dtype_info(weight.type).block_elems;
        const uint64_t panel_bytes = row_bytes(dtype_info(weight.type), weight.in) * kGemmPanelRows;
        pool_.parallel_for(weight.out / kGemmPanelRows, [&](int64_t p) {
            panel.repack(tensor.data + panel_bytes * static_cast<uint64_t>(p), kGemmPanelRows, nblocks,
                         buffer + panel_bytes * static_cast<uint64_t>(p));
        });
        weight.layout = kPanelLayout;
    }
    weight.data = buffer;
    release_pages(tensor.data, tensor.nbytes);
}

std::unique_ptr<KvPages> CpuBackend::create_kv_pages(const KvLayout& layout) {
    return std::make_unique<CpuKvPages>(layout);
}

Tensor CpuBackend::alloc(int64_t rows, int64_t cols) {
    require(rows >= 0 && cols > 0, ErrorKind::internal, "alloc: bad shape");
    return Tensor{arena_.alloc(static_cast<size_t>(rows * cols)), rows, cols};
}

void CpuBackend::embed(const Weight& table, std::span<const int32_t> tokens, Tensor out) {
    require(out.rows == static_cast<int64_t>(tokens.size()) && out.cols == table.in, ErrorKind::internal,
            "embed: shape mismatch");
    for (int32_t token : tokens)
        require(token >= 0 && token < table.out, ErrorKind::bad_request, [&] {
            return "token id " + std::to_string(token) + " is outside the vocabulary (0.." + std::to_string(table.out - 1) + ")";
        });
    const uint64_t stride = row_bytes(dtype_info(table.type), table.in);
    const auto* base = static_cast<const uint8_t*>(table.data);
    pool_.parallel_for(static_cast<int64_t>(tokens.size()), [&](int64_t i) {
        dequantize_row(table.type, base + stride * tokens[i], out.data + i * out.cols, out.cols);
    });
}

void CpuBackend::gather_rows(Tensor x, std::span<const int32_t> rows, Tensor out) {
    require(out.rows == static_cast<int64_t>(rows.size()) && out.cols == x.cols, ErrorKind::internal,
            "gather_rows: shape mismatch");
    for (size_t i = 0; i < rows.size(); ++i) {
        require(rows[i] >= 0 && rows[i] < x.rows, ErrorKind::internal, "gather_rows: row out of range");
        std::memcpy(out.data + i * out.cols, x.data + rows[i] * x.cols, sizeof(float) * x.cols);
    }
}

void CpuBackend::read(Tensor x, std::span<float> host) {
    require(host.size() == static_cast<size_t>(x.size()), ErrorKind::internal, "read: size mismatch");
    if (x.data != host.data()) std::memcpy(host.data(), x.data, sizeof(float) * host.size());
}

Tensor CpuBackend::alloc_for_read(std::span<float> host, int64_t rows, int64_t cols) {
    require(rows >= 0 && cols > 0 && host.size() == static_cast<size_t>(rows * cols), ErrorKind::internal,
            "alloc_for_read: size mismatch");
    return Tensor{host.data(), rows, cols};
}

}  // namespace hearth::cpu
