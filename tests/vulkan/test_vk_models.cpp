// End to end on the Vulkan device: SmolLM2's and Gemma 3's greedy continuations equal llama.cpp's
// goldens (and their logits the CPU backend's, bit for bit) while decoding replays recorded
// command buffers, and a synthetic Llama-1B whose embedding and output matrices are over
// maxStorageBufferRange (128 MiB on lavapipe) generates the CPU backend's tokens. Both skip when the model files or a Vulkan device are absent.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/engine/session.h"
#include "models/model.h"
#include "models/synthetic.h"
#include "tests/test_paths.h"
#include "tests/vulkan/vk_test_util.h"

namespace hearth::test {
namespace {

int32_t argmax(std::span<const float> logits) {
    return static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

std::vector<int32_t> greedy(Model& model, const std::vector<int32_t>& prompt, size_t n, std::vector<float>* first) {
    Session session(model, SessionOptions{512, 512});
    std::span<const float> logits = session.feed(prompt);
    if (first) first->assign(logits.begin(), logits.end());
    std::vector<int32_t> out;
    while (out.size() < n) {
        out.push_back(argmax(logits));
        logits = session.feed(std::span<const int32_t>(&out.back(), 1));
    }
    return out;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Greedy continuations of every case in a golden file (their first `max_tokens` tokens); the first
// case's logits must also equal the CPU backend's bit for bit, and so must those of Vulkan
// backends in each of `variants` (e.g. the GPU configuration: matmul teams of 16 sharing blocks
// across rows; integer dot products forced off and on). A variant the device lacks is skipped.
void check_goldens(const std::string& golden_name, size_t max_tokens, std::span<const VulkanOptions> variants) {
    std::ifstream in(test_data() / "goldens" / golden_name);
    REQUIRE(in.good());
    const auto golden = nlohmann::json::parse(in);
    const auto path = model_dir() / golden.at("model_file").get<std::string>();
    if (!std::filesystem::exists(path)) {
        MESSAGE("skipped: " << path.string() << " is absent (scripts/fetch-models fetches it)");
        return;
    }
    auto vulkan = try_vulkan();
    if (!vulkan) return;
    const auto start = std::chrono::steady_clock::now();
    const auto file = gguf::GgufFile::open(path.string());
    const auto model = load_model(*file, *vulkan);
    cpu::CpuBackend cpu_backend(cpu::CpuOptions{.exact = true});
    const auto cpu_model = load_model(*file, cpu_backend);
    bool first_case = true;
    for (const auto& c : golden.at("cases")) {
        INFO("prompt: " << c.at("prompt").get<std::string>());
        const auto prompt = c.at("prompt_ids").get<std::vector<int32_t>>();
        auto expected = c.at("generated_ids").get<std::vector<int32_t>>();
        expected.resize(std::min(expected.size(), max_tokens));
        std::vector<float> logits;
        const VulkanSubmissions before = vulkan_submissions(*vulkan);
        CHECK(greedy(*model, prompt, expected.size(), &logits) == expected);
        // Decoding records the same commands step after step, so every decode step replays the
        // previous one's command buffer except the first and those where the sequence passes a
        // power of two from 64 keys on (attention's scratch grows): once here, as prompt and
        // continuation stay under 128 tokens.
        const VulkanSubmissions after = vulkan_submissions(*vulkan);
        MESSAGE("submissions: " << after.submitted - before.submitted << ", reused: " << after.reused - before.reused);
        CHECK(after.reused - before.reused + 2 >= expected.size());
        for (const auto& top : c.at("first_top5"))
            CHECK(logits[top.at("id").get<size_t>()] == doctest::Approx(top.at("logit").get<double>()).epsilon(1e-6));
        if (first_case) {
            Session session(*cpu_model, SessionOptions{512, 512});
            const std::span<const float> want = session.feed(prompt);
            CHECK(count_bit_differences(logits, std::vector<float>(want.begin(), want.end())) == 0);
            for (const VulkanOptions& options : variants) {
                const auto variant = try_vulkan(options);
                if (!variant) continue;
                INFO("variant: " << variant->device_description());
                const auto variant_model = load_model(*file, *variant);
                Session variant_session(*variant_model, SessionOptions{512, 512});
                const std::span<const float> got = variant_session.feed(prompt);
                CHECK(count_bit_differences(logits, std::vector<float>(got.begin(), got.end())) == 0);
            }
            first_case = false;
        }
    }
    MESSAGE(golden_name << " on " << vulkan->device_description() << ": " << seconds_since(start) << " s");
}

constexpr VulkanFeatureUse kOff = VulkanFeatureUse::off, kOn = VulkanFeatureUse::on;

TEST_CASE("vulkan: SmolLM2-135M-Instruct Q4_1 greedy continuations equal llama.cpp's") {
    const VulkanOptions variants[] = {{-1, 16}, {-1, 0, kOff, kOff}, {-1, 0, kOn}, {-1, 8, kOn, kOn}};
    check_goldens("smollm2-greedy.json", 64, variants);
}

// Gemma's 262144-entry output matrix makes each token slow on lavapipe: 16 tokens per case.
TEST_CASE("vulkan: Gemma 3 270M Q4_K_M greedy continuations equal llama.cpp's") {
    const VulkanOptions variants[] = {{-1, 16}, {-1, 0, kOff}};
    check_goldens("gemma3-greedy.json", 16, variants);
}

// A Llama-3.2-1B-shaped file with Gemma 3's 262144-token vocabulary: the Q4_0 token embedding
// (302 MB) and the Q6_K output matrix (440 MB) exceed lavapipe's 128 MiB maxStorageBufferRange.
std::filesystem::path llama1b_file() {
    if (const char* env = std::getenv("HEARTH_VK_LLAMA1B")) return env;
    return std::filesystem::temp_directory_path() / "hearth-vk-llama-1b-q4_0-v262k.gguf";
}

TEST_CASE("vulkan: synthetic llama-1b with tensors over 128 MiB generates the CPU backend's tokens") {
    const auto vocab_path = model_dir() / "gemma-3-270m-q4_k_m.gguf";
    if (!std::filesystem::exists(vocab_path)) {
        MESSAGE("skipped: " << vocab_path.string() << " (the vocabulary source) is absent");
        return;
    }
    auto vulkan = try_vulkan();
    if (!vulkan) return;
    const auto path = llama1b_file();
    auto start = std::chrono::steady_clock::now();
    if (!std::filesystem::exists(path)) {
        const auto vocab = gguf::GgufFile::open(vocab_path.string());
        write_synthetic_model(SyntheticRequest{"llama-1b", "Q4_0", 1, 0}, *vocab, path.string());
        MESSAGE("wrote " << path.string() << " in " << seconds_since(start) << " s");
    }
    const auto file = gguf::GgufFile::open(path.string());
    start = std::chrono::steady_clock::now();
    const auto model = load_model(*file, *vulkan);
    MESSAGE("llama-1b uploaded in " << seconds_since(start) << " s");
    const std::vector<int32_t> prompt = {2, 651, 6037, 576};
    start = std::chrono::steady_clock::now();
    std::vector<float> logits;
    const std::vector<int32_t> got = greedy(*model, prompt, 3, &logits);
    MESSAGE("llama-1b: 4-token prompt and 3 tokens on Vulkan in " << seconds_since(start) << " s");
    cpu::CpuBackend cpu_backend(cpu::CpuOptions{.exact = true});
    const auto cpu_model = load_model(*file, cpu_backend);
    std::vector<float> cpu_logits;
    CHECK(got == greedy(*cpu_model, prompt, 3, &cpu_logits));
    CHECK(count_bit_differences(logits, cpu_logits) == 0);
}

}  // namespace
}  // namespace hearth::test
