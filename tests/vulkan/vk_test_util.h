#pragma once
// Shared by the Vulkan tests: a Vulkan backend when the machine has a usable device (else a
// doctest MESSAGE and the test returns), a CPU backend as the reference, and tensors with the
// same contents on both (uploaded as an F32 table and copied in with embed, the only way into a
// backend's memory the interface offers).
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "backends/vulkan/vulkan_backend.h"
#include "core/error.h"
#include "core/gguf/gguf_file.h"

namespace hearth::test {

// Null, with a MESSAGE saying why, when Vulkan cannot run here.
inline std::unique_ptr<Backend> try_vulkan(const VulkanOptions& options = {}) {
    try {
        return make_vulkan_backend(options);
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::unsupported) throw;
        MESSAGE("skipped: no usable Vulkan device (" << std::string(e.what()) << ")");
        return nullptr;
    }
}

// Host bytes of one uploaded weight; kept alive for the CPU backend, which maps instead of copying.
struct HostWeight {
    std::vector<uint8_t> bytes;
    gguf::TensorInfo info;
};

inline std::unique_ptr<HostWeight> host_weight(DType type, int64_t in, int64_t out, std::vector<uint8_t> bytes) {
    auto w = std::make_unique<HostWeight>();
    w->bytes = std::move(bytes);
    w->info.name = "test";
    w->info.type = type;
    w->info.shape = out > 1 ? std::vector<int64_t>{in, out} : std::vector<int64_t>{in};
    w->info.nbytes = w->bytes.size();
    w->info.data = w->bytes.data();
    return w;
}

inline std::vector<uint8_t> float_bytes(const std::vector<float>& values) {
    std::vector<uint8_t> bytes(values.size() * sizeof(float));
    std::memcpy(bytes.data(), values.data(), bytes.size());
    return bytes;
}

// The Vulkan backend under test and the CPU reference (in ggml's exact arithmetic), side by side.
class Pair {
public:
    explicit Pair(std::unique_ptr<Backend> vulkan) : vk_(std::move(vulkan)), cpu_(cpu::CpuOptions{.n_threads = 1, .exact = true}) {}
    Backend& vk() { return *vk_; }
    Backend& cpu() { return cpu_; }

    // A weight with these bytes on both backends.
    struct Weights {
        Weight vk, cpu;
    };
    Weights upload(DType type, int64_t in, int64_t out, std::vector<uint8_t> bytes) {
        hosts_.push_back(host_weight(type, in, out, std::move(bytes)));
        return {vk_->upload(hosts_.back()->info), cpu_.upload(hosts_.back()->info)};
    }

    // A [rows, cols] tensor holding `values` on both backends.
    struct Tensors {
        Tensor vk, cpu;
    };
    Tensors tensor(const std::vector<float>& values, int64_t rows, int64_t cols) {
        REQUIRE(values.size() == static_cast<size_t>(rows * cols));
        const Weights table = upload(DType::F32, cols, std::max<int64_t>(rows, 2), padded(values, rows, cols));
        std::vector<int32_t> ids(static_cast<size_t>(rows));
        std::iota(ids.begin(), ids.end(), 0);
        Tensors t{vk_->alloc(rows, cols), cpu_.alloc(rows, cols)};
        vk_->embed(table.vk, ids, t.vk);
        cpu_.embed(table.cpu, ids, t.cpu);
        return t;
    }

    std::vector<float> read_vk(Tensor t) {
        std::vector<float> out(static_cast<size_t>(t.size()));
        vk_->read(t, out);
        return out;
    }
    std::vector<float> read_cpu(Tensor t) {
        std::vector<float> out(static_cast<size_t>(t.size()));
        cpu_.read(t, out);
        return out;
    }
    void begin_step() {
        vk_->begin_step();
        cpu_.begin_step();
    }

private:
    // A table needs two rows to be a matrix; a single row gets a zero row appended.
    static std::vector<uint8_t> padded(std::vector<float> values, int64_t rows, int64_t cols) {
        if (rows < 2) values.resize(static_cast<size_t>(2 * cols), 0.0f);
        return float_bytes(values);
    }

    std::unique_ptr<Backend> vk_;
    cpu::CpuBackend cpu_;
    std::vector<std::unique_ptr<HostWeight>> hosts_;
};

inline std::vector<float> normal_values(size_t n, uint32_t seed, float sigma = 1.0f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, sigma);
    std::vector<float> v(n);
    for (float& x : v) x = normal(rng);
    return v;
}

// How many elements of two float vectors differ in their bits (any two NaNs count as equal: their
// payloads are the hardware's business). The first few differences go to the test log.
inline size_t count_bit_differences(const std::vector<float>& a, const std::vector<float>& b) {
    REQUIRE(a.size() == b.size());
    size_t n = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        if (std::isnan(a[i]) && std::isnan(b[i])) continue;
        if (std::memcmp(&a[i], &b[i], sizeof(float)) == 0) continue;
        if (++n <= 5) MESSAGE("element " << i << ": " << a[i] << " vs " << b[i]);
    }
    return n;
}

}  // namespace hearth::test
