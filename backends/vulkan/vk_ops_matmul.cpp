// matmul: activations are converted once per row to the weight's dot type (shaders/
// quantize_act.comp, the reference quantizers), then shaders/matmul.comp (one pipeline per weight
// type) computes every output as the reference dot: for float types one invocation per output,
// for quantized types a team of invocations per output sharing its blocks, summed in order.
#include <algorithm>
#include <cctype>
#include <string>

#include "backends/vulkan/vk_backend.h"
#include "core/error.h"
#include "core/quant/quant.h"

namespace hearth::vk {
namespace {

// Activation rows that share each decoded weight block in a batch of several rows (prefill), where
// invocations work in teams (GPUs). On CPU devices one row at a time measured as fast.
constexpr uint32_t kRowsPerGroup = 4;

struct QuantizePush {
    uint64_t x, out, out_row_bytes;
    uint32_t type, rows, cols;
    uint32_t unused = 0;  // no tail padding (has_no_padding)
};

struct MatmulPush {
    uint64_t w, x, out, w_row_bytes, x_row_bytes;
    uint32_t n_in, n_out, rows;
    uint32_t unused = 0;  // no tail padding (has_no_padding)
};

bool is_float(DType type) { return type == DType::F32 || type == DType::F16 || type == DType::BF16; }

// Whether matmul.comp's subgroup variant applies: a team that fits in one subgroup hands its block
// contributions round by shuffles; single invocations (team 1) share each activation block's
// eight words, which needs subgroups of at least 8.
bool uses_subgroups(uint32_t team, uint32_t subgroup_size) {
    return team == 1 ? subgroup_size >= 8 : team <= subgroup_size;
}

}  // namespace

std::string VulkanBackend::matmul_shader(DType type) const {
    std::string name = "matmul_" + std::string(dtype_info(type).name);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (is_float(type)) return name;
    if (integer_dot_ && type != DType::Q6_K) name += "_dot";  // Q6_K has no dot steps (CMakeLists.txt)
    if (subgroup_gather_ && uses_subgroups(matmul_team_, context_->capabilities().subgroup_size)) name += "_sg";
    return name;
}

// x in dot type `type` (quantize_act.comp), or x itself for F32 weights.
uint64_t VulkanBackend::quantized_acts(Tensor x, DType type, uint64_t act_row_bytes) {
    if (type == DType::F32) return address_of(x);
    const uint64_t bytes = act_row_bytes * static_cast<uint64_t>(x.rows);
    const uint64_t acts = activations_.alloc(bytes).address;
    const QuantizePush push{address_of(x), acts, act_row_bytes, static_cast<uint32_t>(type),
                            static_cast<uint32_t>(x.rows), static_cast<uint32_t>(x.cols)};
    const uint64_t per_row = type == DType::F16 || type == DType::BF16
                                 ? static_cast<uint64_t>(x.cols)
                                 : static_cast<uint64_t>(x.cols) / dtype_info(type).block_elems;
    run("quantize_act", push, per_row * static_cast<uint64_t>(x.rows), {reads(x), write_access(acts, bytes)});
    return acts;
}

void VulkanBackend::matmul(const Weight& w, Tensor x, Tensor out) {
    const MatmulTarget target{&w, out};
    matmuls(x, std::span(&target, 1));
}

// x is quantized once per dot type; the matmuls, which only read it, then need no barrier between
// them (Commands orders by the memory each command touches).
void VulkanBackend::matmuls(Tensor x, std::span<const MatmulTarget> targets) {
    for (const MatmulTarget& t : targets) {
        require(x.cols == t.w->in && t.out.rows == x.rows && t.out.cols == t.w->out, ErrorKind::internal,
                "matmul: shape mismatch");
        require(static_cast<uint64_t>(t.w->out) * static_cast<uint64_t>(x.rows) <= 0xFFFFFFFFull, ErrorKind::unsupported,
                "matmul: too many outputs for one dispatch");
    }
    if (x.rows == 0) return;
    std::vector<std::pair<DType, uint64_t>> converted;  // dot type, address of x in it
    for (const MatmulTarget& t : targets) {
        const DType act_type = vec_dot_type(t.w->type);
        const uint64_t act_row_bytes = row_bytes(dtype_info(act_type), static_cast<uint64_t>(t.w->in));
        auto found = std::find_if(converted.begin(), converted.end(), [&](const auto& c) { return c.first == act_type; });
        if (found == converted.end()) {
            converted.emplace_back(act_type, quantized_acts(x, act_type, act_row_bytes));
            found = converted.end() - 1;
        }
        record_matmul(*t.w, x.rows, found->second, act_row_bytes, t.out);
    }
}

void VulkanBackend::record_matmul(const Weight& w, int64_t act_rows, uint64_t acts, uint64_t act_row_bytes, Tensor out) {
    const Access acts_read = read_access(acts, act_row_bytes * static_cast<uint64_t>(act_rows));
    const MatmulPush push{address_of(w), acts, address_of(out),
                          row_bytes(dtype_info(w.type), static_cast<uint64_t>(w.in)), act_row_bytes,
                          static_cast<uint32_t>(w.in), static_cast<uint32_t>(w.out), static_cast<uint32_t>(act_rows)};
    if (is_float(w.type)) {
        run(matmul_shader(w.type), push, static_cast<uint64_t>(w.out) * static_cast<uint64_t>(act_rows),
            {reads(w), acts_read, writes(out)});
    } else {  // matmul.comp: 64 / matmul_team_ output rows times `rows` activation rows per workgroup
        const uint32_t rows = act_rows >= kRowsPerGroup && matmul_team_ > 1 ? kRowsPerGroup : 1;
        const uint64_t outputs_per_group = 64 / matmul_team_;
        const uint64_t groups = (static_cast<uint64_t>(w.out) + outputs_per_group - 1) / outputs_per_group *
                                ((static_cast<uint64_t>(act_rows) + rows - 1) / rows);
        const uint32_t constants[] = {matmul_team_, rows};
        const Access accesses[] = {reads(w), acts_read, writes(out)};
        record(matmul_shader(w.type), push_bytes(push), groups, accesses, constants);
    }
}

}  // namespace hearth::vk
