#pragma once
// Everything needed to talk to one model file: the mapped GGUF, the backend its weights live on,
// the model, its tokenizer and its chat template (the file's, or a built-in one).
#include <memory>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "core/chat/chat_template.h"
#include "core/gguf/gguf_file.h"
#include "core/tokenizer/tokenizer.h"
#include "models/model.h"

namespace hearth {

enum class BackendKind { cpu, vulkan };
const char* to_string(BackendKind kind);
// "cpu" or "vulkan"; Error(bad_request) naming the choices otherwise.
BackendKind parse_backend_kind(std::string_view name);
// The backends this build can create (the CPU always; Vulkan when it was built).
std::vector<BackendKind> built_backends();

// The CPU backend's thread count when none is asked for: one per physical core this process may
// run on, within its cgroup's CPU quota (backends/cpu/cpu_threads.h).
int default_cpu_threads();

struct LoadOptions {
    int n_threads = 0;  // CPU backend: 0 means default_cpu_threads()
    // Asking for a backend that cannot run is an error naming why, never a silent fallback.
    BackendKind backend = BackendKind::cpu;
    int device_index = -1;  // Vulkan: which device; -1 picks the best (or $HEARTH_VULKAN_DEVICE)
    // CPU backend: ggml's portable arithmetic for every dot (cpu::CpuOptions::exact), bit for bit.
    bool exact = false;
};

class LoadedModel {
public:
    // Throws Error(io / bad_file / unsupported) with a message naming the file and the problem.
    static std::unique_ptr<LoadedModel> load(const std::string& path, const LoadOptions& options);

    const gguf::GgufFile& file() const { return *file_; }
    Backend& backend() const { return *backend_; }
    Model& model() const { return *model_; }
    const tokenizer::Tokenizer& tokenizer() const { return *tokenizer_; }
    const ChatTemplate& chat_template() const { return *chat_template_; }
    // "file" when the GGUF carries a template, else the name of the built-in one used.
    const std::string& chat_template_origin() const { return chat_template_origin_; }

    // What a model list shows: tensor bytes, parameter count, the quantization (the file's
    // general.file_type name such as "Q4_K_M", else the type holding most matrix bytes), and the
    // file's size label ("135M").
    struct Facts {
        uint64_t weight_bytes = 0;
        // Bytes a generated token reads: every tensor but the token embedding table, of which it
        // reads one row (the table counts in full when there is no separate output matrix, since
        // the output projection then reads all of it).
        uint64_t bytes_per_token = 0;
        uint64_t n_params = 0;
        std::string main_type;
        std::string size_label;
    };
    Facts facts() const;

    // The conversation as prompt tokens: rendered by the chat template, tokenized with special
    // tokens parsed (BOS added only if the template did not already write it).
    std::vector<int32_t> chat_prompt(std::span<const ChatMessage> messages, bool add_generation_prompt = true) const;

private:
    LoadedModel() = default;
    std::unique_ptr<gguf::GgufFile> file_;
    std::unique_ptr<Backend> backend_;
    std::unique_ptr<Model> model_;
    std::unique_ptr<tokenizer::Tokenizer> tokenizer_;
    std::unique_ptr<ChatTemplate> chat_template_;
    std::string chat_template_origin_;
};

}  // namespace hearth
