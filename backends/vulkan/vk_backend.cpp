// The Vulkan backend's construction, memory (weights, activations, host uploads) and the data
// movement ops: embed, gather_rows, read.
#include "backends/vulkan/vk_backend.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "backends/vulkan/vk_kv_pages.h"
#include "core/error.h"
#include "core/quant/half.h"
#include "core/quant/quant.h"

namespace hearth {
namespace vk {
namespace {

constexpr VkDeviceSize kWeightChunk = 256ull << 20;
constexpr VkDeviceSize kActivationChunk = 64ull << 20;
constexpr VkDeviceSize kUploadChunk = 4ull << 20;
constexpr VkDeviceSize kStagingBytes = 64ull << 20;

// The weight types with a matmul shader (one per type, shaders/matmul.comp).
bool has_matmul_shader(DType type) {
    switch (type) {
        case DType::F32: case DType::F16: case DType::BF16: case DType::Q4_0: case DType::Q4_1: case DType::Q5_0:
        case DType::Q5_1: case DType::Q8_0: case DType::Q4_K: case DType::Q5_K: case DType::Q6_K: return true;
        default: return false;
    }
}

// GELU with the tanh approximation at every f16 input, exactly as the CPU reference evaluates it
// (backends/cpu/ops_elementwise.cpp gelu_tanh_f16, which ggml also tabulates by f16 value).
std::vector<float> gelu_table() {
    std::vector<float> table(1 << 16);
    constexpr float kSqrt2OverPi = 0.79788456080286535587989211986876f;
    constexpr float kCoefA = 0.044715f;
    for (uint32_t h = 0; h < table.size(); ++h) {
        const float xh = fp16_to_f32(static_cast<uint16_t>(h));
        const float y = 0.5f * xh * (1.0f + std::tanh(kSqrt2OverPi * xh * (1.0f + kCoefA * xh * xh)));
        table[h] = fp16_to_f32(f32_to_fp16(y));
    }
    return table;
}

uint32_t matmul_team(int requested, DeviceKind kind) {
    if (requested == 0) return kind == DeviceKind::cpu ? 1 : 16;
    require(requested > 0 && requested <= 64 && (requested & (requested - 1)) == 0, ErrorKind::bad_request,
            "VulkanOptions::matmul_team must be a power of two from 1 to 64, not " + std::to_string(requested));
    return static_cast<uint32_t>(requested);
}

bool use_feature(VulkanFeatureUse use, bool available, const std::string& what) {
    require(use != VulkanFeatureUse::on || available, ErrorKind::unsupported,
            "Vulkan: the device lacks " + what + ", which the options require");
    return use != VulkanFeatureUse::off && available;
}

struct EmbedPush {
    uint64_t table, tokens, out, row_bytes;
    uint32_t type, rows, cols;
    uint32_t unused = 0;  // no tail padding (has_no_padding)
};

struct GatherPush {
    uint64_t x, rows, out;
    uint32_t n_rows, cols;
};

}  // namespace

VulkanBackend::VulkanBackend(const VulkanOptions& options)
    : context_(std::make_shared<const Context>(options.device_index)),
      matmul_team_(matmul_team(options.matmul_team, context_->kind())),
      integer_dot_(use_feature(options.integer_dot, context_->capabilities().integer_dot,
                               "integer dot products (shaderIntegerDotProduct)")),
      subgroup_gather_(use_feature(options.subgroup_gather,
                                   context_->capabilities().subgroup_shuffle &&
                                       64 % std::max(context_->capabilities().subgroup_size, 1u) == 0,
                                   "subgroup shuffles in compute shaders with subgroups that divide 64")),
      pipelines_(*context_),
      commands_(*context_),
      weights_(*context_, MemoryKind::device, kWeightChunk, "Vulkan weights"),
      activations_(*context_, MemoryKind::device, kActivationChunk, "Vulkan activations"),
      uploads_(*context_, MemoryKind::upload, kUploadChunk, "Vulkan step uploads") {
    const std::vector<float> gelu = gelu_table();
    gelu_table_ = std::make_unique<Buffer>(*context_, gelu.size() * sizeof(float), MemoryKind::device, "GELU table");
    copy_to_device(reinterpret_cast<const std::byte*>(gelu.data()), gelu.size() * sizeof(float),
                   Slice{gelu_table_.get(), 0, gelu_table_->address(), nullptr});
}

VulkanBackend::~VulkanBackend() {
    try {
        commands_.flush();
    } catch (const Error&) {
        // The device is lost or out of memory; destruction goes on regardless.
    }
}

std::string VulkanBackend::device_description() const {
    return context_->description() + "; matmul: team " + std::to_string(matmul_team_) + ", integer dot " +
           (integer_dot_ ? "on" : "off") + ", subgroup gather " + (subgroup_gather_ ? "on" : "off");
}

Access reads(const Weight& w) {
    return read_access(address_of(w), row_bytes(dtype_info(w.type), static_cast<uint64_t>(w.in)) *
                                          static_cast<uint64_t>(w.out));
}

void VulkanBackend::record(std::string_view shader, std::span<const std::byte> push, uint64_t groups,
                           std::span<const Access> accesses, std::span<const uint32_t> constants) {
    if (groups == 0) return;
    const uint64_t x = std::min<uint64_t>(groups, context_->max_workgroups_x());
    const uint64_t y = (groups + x - 1) / x;
    require(y <= 65535, ErrorKind::unsupported,
            "Vulkan: a dispatch of " + std::to_string(groups) + " workgroups is too large");
    commands_.dispatch(pipelines_.get(shader, constants), pipelines_.layout(), push,
                       Groups{static_cast<uint32_t>(x), static_cast<uint32_t>(y)}, accesses);
}

uint64_t VulkanBackend::upload_ints(std::span<const int32_t> values) {
    const Slice slice = uploads_.alloc(values.size_bytes());
    std::memcpy(slice.mapped, values.data(), values.size_bytes());
    return slice.address;
}

uint64_t VulkanBackend::upload_floats(std::span<const float> values) {
    const Slice slice = uploads_.alloc(values.size_bytes());
    std::memcpy(slice.mapped, values.data(), values.size_bytes());
    return slice.address;
}

void VulkanBackend::copy_to_device(const std::byte* data, uint64_t bytes, const Slice& target) {
    if (!staging_) staging_ = std::make_unique<Buffer>(*context_, kStagingBytes, MemoryKind::upload, "Vulkan staging");
    for (uint64_t done = 0; done < bytes;) {
        const uint64_t n = std::min<uint64_t>(bytes - done, staging_->size());
        std::memcpy(staging_->mapped(), data + done, n);
        commands_.copy(*staging_, 0, *target.buffer, target.offset + done, n);
        commands_.flush();
        done += n;
    }
}

Weight VulkanBackend::upload(const gguf::TensorInfo& tensor) {
    const DTypeInfo& info = dtype_info(tensor.type);
    require(info.supported && has_matmul_shader(tensor.type), ErrorKind::unsupported,
            "tensor '" + tensor.name + "' has type " + std::string(info.name) +
                ", which the Vulkan backend cannot compute with; supported: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, "
                "Q8_0, Q4_K, Q5_K, Q6_K");
    require(tensor.shape.size() <= 2, ErrorKind::unsupported,
            "tensor '" + tensor.name + "' has " + std::to_string(tensor.shape.size()) + " dimensions; expected at most 2");
    Weight weight;
    weight.type = tensor.type;
    weight.in = tensor.shape.empty() ? 1 : tensor.shape[0];
    weight.out = tensor.shape.size() == 2 ? tensor.shape[1] : 1;
    if (tensor.shape.size() == 2) {
        const DTypeInfo& act = dtype_info(vec_dot_type(tensor.type));
        require(weight.in % act.block_elems == 0, ErrorKind::unsupported,
                "tensor '" + tensor.name + "': row length " + std::to_string(weight.in) +
                    " is not a multiple of the " + std::string(act.name) + " block size");
    }
    const Slice slice = weights_.alloc(tensor.nbytes);
    copy_to_device(reinterpret_cast<const std::byte*>(tensor.data), tensor.nbytes, slice);
    weight.data = reinterpret_cast<const void*>(static_cast<uintptr_t>(slice.address));
    if (tensor.type == DType::F32 && weight.out == 1) {
        const auto* values = reinterpret_cast<const float*>(tensor.data);
        host_vectors_.emplace(weight.data, std::vector<float>(values, values + weight.in));
    }
    return weight;
}

const std::vector<float>& VulkanBackend::host_vector(const Weight& weight) const {
    const auto it = host_vectors_.find(weight.data);
    require(it != host_vectors_.end(), ErrorKind::internal, "Vulkan: an F32 vector weight this backend did not upload");
    return it->second;
}

std::unique_ptr<KvPages> VulkanBackend::create_kv_pages(const KvLayout& layout) {
    return std::make_unique<VulkanKvPages>(context_, layout);
}

void VulkanBackend::begin_step() {
    commands_.begin_step();
    activations_.reset();
    uploads_.reset();
}

Tensor VulkanBackend::alloc(int64_t rows, int64_t cols) {
    require(rows >= 0 && cols > 0, ErrorKind::internal, "alloc: bad shape");
    const Slice slice = activations_.alloc(static_cast<VkDeviceSize>(rows * cols) * sizeof(float));
    return Tensor{reinterpret_cast<float*>(static_cast<uintptr_t>(slice.address)), rows, cols};
}

void VulkanBackend::embed(const Weight& table, std::span<const int32_t> tokens, Tensor out) {
    require(out.rows == static_cast<int64_t>(tokens.size()) && out.cols == table.in, ErrorKind::internal,
            "embed: shape mismatch");
    for (int32_t token : tokens)
        require(token >= 0 && token < table.out, ErrorKind::bad_request,
                "token id " + std::to_string(token) + " is outside the vocabulary (0.." +
                    std::to_string(table.out - 1) + ")");
    if (tokens.empty()) return;
    const EmbedPush push{address_of(table), upload_ints(tokens), address_of(out),
                         row_bytes(dtype_info(table.type), static_cast<uint64_t>(table.in)),
                         static_cast<uint32_t>(table.type), static_cast<uint32_t>(out.rows),
                         static_cast<uint32_t>(out.cols)};
    run("embed", push, static_cast<uint64_t>(out.size()), {reads(table), writes(out)});
}

void VulkanBackend::gather_rows(Tensor x, std::span<const int32_t> rows, Tensor out) {
    require(out.rows == static_cast<int64_t>(rows.size()) && out.cols == x.cols, ErrorKind::internal,
            "gather_rows: shape mismatch");
    for (int32_t r : rows) require(r >= 0 && r < x.rows, ErrorKind::internal, "gather_rows: row out of range");
    if (rows.empty()) return;
    const GatherPush push{address_of(x), upload_ints(rows), address_of(out), static_cast<uint32_t>(rows.size()),
                          static_cast<uint32_t>(x.cols)};
    run("gather_rows", push, static_cast<uint64_t>(out.size()), {reads(x), writes(out)});
}

void VulkanBackend::read(Tensor x, std::span<float> host) {
    require(host.size() == static_cast<size_t>(x.size()), ErrorKind::internal, "read: size mismatch");
    if (host.empty()) return;
    const uint64_t bytes = host.size_bytes();
    if (!readback_ || readback_->size() < bytes) {
        readback_.reset();
        readback_ = std::make_unique<Buffer>(*context_, bytes, MemoryKind::readback, "Vulkan readback");
    }
    const GatherPush push{address_of(x), 0, readback_->address(), static_cast<uint32_t>(x.rows),
                          static_cast<uint32_t>(x.cols)};
    run("gather_rows", push, static_cast<uint64_t>(x.size()), {reads(x), write_access(readback_->address(), bytes)});
    commands_.flush();
    std::memcpy(host.data(), readback_->mapped(), bytes);
}

}  // namespace vk

std::unique_ptr<Backend> make_vulkan_backend(const VulkanOptions& options) {
    return std::make_unique<vk::VulkanBackend>(options);
}

VulkanSubmissions vulkan_submissions(const Backend& backend) {
    const auto* vulkan = dynamic_cast<const vk::VulkanBackend*>(&backend);
    require(vulkan != nullptr, ErrorKind::internal, "vulkan_submissions: not a Vulkan backend");
    const vk::SubmissionCounts counts = vulkan->submission_counts();
    return {counts.submissions, counts.reused};
}

std::vector<std::string> list_vulkan_devices() {
    std::vector<std::string> lines;
    for (const vk::DeviceCandidate& d : vk::list_devices()) {
        std::string line = std::to_string(d.index) + ": " + d.name + " (" + std::string(vk::device_kind_name(d.kind)) + ")";
        if (!d.missing.empty()) line += ", unusable: lacks " + d.missing;
        lines.push_back(std::move(line));
    }
    return lines;
}

}  // namespace hearth
