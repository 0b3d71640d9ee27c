#pragma once
// The Vulkan backend (see vulkan_backend.h for the handle convention). Ops collect compute
// dispatches (vk_commands.h), submitted when the host needs a result (read) and at the start of
// each step, replaying the previous step's command buffer where the commands repeat; each op's
// shader follows the CPU reference's arithmetic (shaders/*.comp).
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "backends/backend.h"
#include "backends/vulkan/vk_commands.h"
#include "backends/vulkan/vk_context.h"
#include "backends/vulkan/vk_memory.h"
#include "backends/vulkan/vk_pipelines.h"
#include "backends/vulkan/vulkan_backend.h"

namespace hearth::vk {

// A push constant struct as the bytes a dispatch records.
template <typename Push>
std::span<const std::byte> push_bytes(const Push& push) {
    static_assert(sizeof(Push) <= kPushConstantBytes, "push constants over the guaranteed 128 bytes");
    static_assert(has_no_padding<Push>(), "push constants are compared as bytes for replay: no padding");
    return std::as_bytes(std::span(&push, 1));
}

class VulkanBackend final : public Backend {
public:
    explicit VulkanBackend(const VulkanOptions& options);
    ~VulkanBackend() override;

    std::string_view name() const override { return "vulkan"; }
    std::string device_description() const override;
    SubmissionCounts submission_counts() const { return commands_.counts(); }

    Weight upload(const gguf::TensorInfo& tensor) override;
    std::unique_ptr<KvPages> create_kv_pages(const KvLayout& layout) override;
    void copy_kv_page(KvPages& pages, int32_t from, int32_t to) override;

    void begin_step() override;
    Tensor alloc(int64_t rows, int64_t cols) override;

    void embed(const Weight& table, std::span<const int32_t> tokens, Tensor out) override;
    void rms_norm(Tensor x, const Weight& weight, float eps, Tensor out) override;
    void matmul(const Weight& w, Tensor x, Tensor out) override;
    void matmuls(Tensor x, std::span<const MatmulTarget> targets) override;
    void add_bias(Tensor x, const Weight& bias) override;
    void add(Tensor a, Tensor b, Tensor out) override;
    void scale(Tensor x, float factor) override;
    void softcap(Tensor x, float cap) override;
    void rope(Tensor x, int32_t head_dim, const BatchRows& rows, const RopeParams& params) override;
    void kv_store(KvPages& pages, int32_t layer, Tensor k, Tensor v, const BatchRows& rows) override;
    void attention(KvPages& pages, int32_t layer, Tensor q, const BatchRows& rows, const AttentionParams& params,
                   Tensor out) override;
    void swiglu(Tensor gate, Tensor up, Tensor out) override;
    void gelu_glu(Tensor gate, Tensor up, Tensor out) override;
    void gather_rows(Tensor x, std::span<const int32_t> rows, Tensor out) override;
    void read(Tensor x, std::span<float> host) override;

private:
    // Records `shader` over `invocations` (64 per workgroup) or over `groups` workgroups, folding
    // counts past the device's per-dimension limit into a second dimension. `accesses`: the device
    // memory it reads and writes (Commands::dispatch), e.g. {reads(x), writes(out)}.
    template <typename Push>
    void run(std::string_view shader, const Push& push, uint64_t invocations, std::initializer_list<Access> accesses) {
        run_groups(shader, push, (invocations + 63) / 64, accesses);
    }
    template <typename Push>
    void run_groups(std::string_view shader, const Push& push, uint64_t groups, std::initializer_list<Access> accesses) {
        record(shader, push_bytes(push), groups, accesses);
    }
    void record(std::string_view shader, std::span<const std::byte> push, uint64_t groups,
                std::span<const Access> accesses, std::span<const uint32_t> constants = {});
    // x in dot type `type` (quantize_act.comp; x itself for F32), and one matmul over it.
    uint64_t quantized_acts(Tensor x, DType type, uint64_t row_bytes);
    void record_matmul(const Weight& w, int64_t act_rows, uint64_t acts, uint64_t act_row_bytes, Tensor out);
    // Host data for this step's shaders (host-visible memory, valid until the next begin_step).
    uint64_t upload_ints(std::span<const int32_t> values);
    uint64_t upload_floats(std::span<const float> values);
    void copy_to_device(const std::byte* data, uint64_t bytes, const Slice& target);
    const std::vector<float>& host_vector(const Weight& weight) const;

    // The matmul pipeline for weight type `type` with the variants this backend uses.
    std::string matmul_shader(DType type) const;

    std::shared_ptr<const Context> context_;
    uint32_t matmul_team_;
    bool integer_dot_;      // the _dot matmul variants (int_dot.glsl)
    bool subgroup_gather_;  // the _sg matmul variants, for teams that fit in a subgroup
    Pipelines pipelines_;
    Commands commands_;
    Arena weights_;
    Arena activations_;
    Arena uploads_;
    std::unique_ptr<Buffer> staging_;
    std::unique_ptr<Buffer> readback_;
    std::unique_ptr<Buffer> gelu_table_;
    // Host copies of F32 vectors (rope frequency factors are needed on the host), by handle.
    std::unordered_map<const void*, std::vector<float>> host_vectors_;
};

inline uint64_t address_of(Tensor t) { return reinterpret_cast<uintptr_t>(t.data); }
inline uint64_t address_of(const Weight& w) { return reinterpret_cast<uintptr_t>(w.data); }

// The device memory of a tensor or weight, as read or written by a command (vk_hazards.h).
inline Access reads(Tensor t) { return read_access(address_of(t), static_cast<uint64_t>(t.size()) * sizeof(float)); }
inline Access writes(Tensor t) { return write_access(address_of(t), static_cast<uint64_t>(t.size()) * sizeof(float)); }
inline Access reads(const Buffer& b) { return read_access(b.address(), b.size()); }
inline Access writes(const Buffer& b) { return write_access(b.address(), b.size()); }
Access reads(const Weight& w);

}  // namespace hearth::vk
