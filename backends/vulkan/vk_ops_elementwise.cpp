// Row-wise and element-wise ops (shaders/rms_norm.comp, add*.comp, scale.comp, softcap.comp,
// swiglu.comp, gelu_glu.comp, rope.comp), with the CPU backend's shape checks.
#include <cmath>
#include <string>
#include <vector>

#include "backends/vulkan/vk_backend.h"
#include "core/error.h"

namespace hearth::vk {
namespace {

void require_same_shape(Tensor a, Tensor b, const char* op) {
    require(a.rows == b.rows && a.cols == b.cols, ErrorKind::internal, std::string(op) + ": shape mismatch");
}

uint32_t count32(int64_t n, const char* op) {
    require(n >= 0 && n <= 0xFFFFFFFFll, ErrorKind::unsupported, std::string(op) + ": tensor too large for one dispatch");
    return static_cast<uint32_t>(n);
}

struct RmsNormPush {
    uint64_t x, weight, out;
    uint32_t rows, cols;
    float eps;
    uint32_t unused = 0;  // no tail padding (has_no_padding)
};
struct BinaryPush {
    uint64_t a, b, out;
    uint32_t n;
    uint32_t unused = 0;  // no tail padding (has_no_padding)
};
struct BiasPush {
    uint64_t x, bias;
    uint32_t n, cols;
};
struct ScalePush {
    uint64_t x;
    uint32_t n;
    float factor;
};
struct SoftcapPush {
    uint64_t x;
    uint32_t n;
    float inverse_cap, cap;
    uint32_t unused = 0;  // no tail padding (has_no_padding)
};
struct GeluPush {
    uint64_t gate, up, out, table;
    uint32_t n;
    uint32_t unused = 0;  // no tail padding (has_no_padding)
};
struct RopePush {
    uint64_t x, cos_sin;
    uint32_t rows, cols, head_dim, n_dims, neox;
    uint32_t unused = 0;  // no tail padding (has_no_padding)
};

// The CPU reference's angles: theta_i = pos * base^(-2i/n_dims), built by repeated float
// multiplication, divided by the frequency factor, times freq_scale; cosine and sine from libm.
std::vector<float> rope_angles(std::span<const int32_t> positions, const RopeParams& p, const float* factors) {
    const float theta_scale = std::pow(p.freq_base, -2.0f / static_cast<float>(p.n_dims));
    const int32_t half = p.n_dims / 2;
    std::vector<float> cos_sin(positions.size() * static_cast<size_t>(p.n_dims));
    for (size_t r = 0; r < positions.size(); ++r) {
        float* row = cos_sin.data() + r * static_cast<size_t>(p.n_dims);
        float theta_base = static_cast<float>(positions[r]);
        for (int32_t i = 0; i < half; ++i) {
            const float ff = factors ? factors[i] : 1.0f;
            const float theta = p.freq_scale * (theta_base / ff);
            row[2 * i] = std::cos(theta);
            row[2 * i + 1] = std::sin(theta);
            theta_base *= theta_scale;
        }
    }
    return cos_sin;
}

}  // namespace

void VulkanBackend::rms_norm(Tensor x, const Weight& weight, float eps, Tensor out) {
    require_same_shape(x, out, "rms_norm");
    require(weight.type == DType::F32 && weight.in == x.cols, ErrorKind::unsupported,
            "rms_norm: the norm weight must be F32 with one value per column");
    const RmsNormPush push{address_of(x), address_of(weight), address_of(out), count32(x.rows, "rms_norm"),
                           count32(x.cols, "rms_norm"), eps};
    run_groups("rms_norm", push, static_cast<uint64_t>(x.rows), {reads(x), reads(weight), writes(out)});
}

void VulkanBackend::add_bias(Tensor x, const Weight& bias) {
    require(bias.type == DType::F32 && bias.in == x.cols, ErrorKind::unsupported,
            "add_bias: the bias must be F32 with one value per column");
    const BiasPush push{address_of(x), address_of(bias), count32(x.size(), "add_bias"), count32(x.cols, "add_bias")};
    run("add_bias", push, static_cast<uint64_t>(x.size()), {reads(x), reads(bias), writes(x)});
}

void VulkanBackend::add(Tensor a, Tensor b, Tensor out) {
    require_same_shape(a, b, "add");
    require_same_shape(a, out, "add");
    const BinaryPush push{address_of(a), address_of(b), address_of(out), count32(a.size(), "add")};
    run("add", push, static_cast<uint64_t>(a.size()), {reads(a), reads(b), writes(out)});
}

void VulkanBackend::scale(Tensor x, float factor) {
    const ScalePush push{address_of(x), count32(x.size(), "scale"), factor};
    run("scale", push, static_cast<uint64_t>(x.size()), {reads(x), writes(x)});
}

void VulkanBackend::softcap(Tensor x, float cap) {
    require(cap > 0.0f, ErrorKind::internal, "softcap: the cap must be positive");
    const SoftcapPush push{address_of(x), count32(x.size(), "softcap"), 1.0f / cap, cap};
    run("softcap", push, static_cast<uint64_t>(x.size()), {reads(x), writes(x)});
}

void VulkanBackend::swiglu(Tensor gate, Tensor up, Tensor out) {
    require_same_shape(gate, up, "swiglu");
    require_same_shape(gate, out, "swiglu");
    const BinaryPush push{address_of(gate), address_of(up), address_of(out), count32(gate.size(), "swiglu")};
    run("swiglu", push, static_cast<uint64_t>(gate.size()), {reads(gate), reads(up), writes(out)});
}

void VulkanBackend::gelu_glu(Tensor gate, Tensor up, Tensor out) {
    require_same_shape(gate, up, "gelu_glu");
    require_same_shape(gate, out, "gelu_glu");
    const GeluPush push{address_of(gate), address_of(up), address_of(out), gelu_table_->address(),
                        count32(gate.size(), "gelu_glu")};
    run("gelu_glu", push, static_cast<uint64_t>(gate.size()), {reads(gate), reads(up), reads(*gelu_table_), writes(out)});
}

void VulkanBackend::rope(Tensor x, int32_t head_dim, const BatchRows& rows, const RopeParams& p) {
    require(x.rows == static_cast<int64_t>(rows.positions.size()) && head_dim > 0 && x.cols % head_dim == 0,
            ErrorKind::internal, "rope: shape mismatch");
    require(p.n_dims > 0 && p.n_dims <= head_dim && p.n_dims % 2 == 0, ErrorKind::unsupported,
            "rope: rotated dimensions must be even and at most the head size");
    const float* factors = nullptr;
    if (p.freq_factors) {
        require(p.freq_factors->type == DType::F32 && p.freq_factors->in >= p.n_dims / 2, ErrorKind::bad_file,
                "rope: frequency factors must be F32 with one value per rotated pair");
        factors = host_vector(*p.freq_factors).data();
    }
    if (x.rows == 0) return;
    const std::vector<float> cos_sin = rope_angles(rows.positions, p, factors);
    const RopePush push{address_of(x), upload_floats(cos_sin), count32(x.rows, "rope"), count32(x.cols, "rope"),
                        static_cast<uint32_t>(head_dim), static_cast<uint32_t>(p.n_dims),
                        p.style == RopeStyle::neox ? 1u : 0u};
    run("rope", push, static_cast<uint64_t>(x.rows) * (x.cols / head_dim) * (p.n_dims / 2), {reads(x), writes(x)});
}

}  // namespace hearth::vk
