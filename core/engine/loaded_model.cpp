#include "core/engine/loaded_model.h"

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/cpu_threads.h"
#include "core/error.h"
#include "core/gguf/quantization_name.h"
#ifdef HEARTH_HAVE_VULKAN
#include "backends/vulkan/vulkan_backend.h"
#endif

namespace hearth {
namespace {

std::string token_text(const tokenizer::Tokenizer& tok, int32_t id) {
    return id == tokenizer::no_token ? std::string() : tok.token_to_piece(id, tokenizer::PieceOptions{true});
}

std::unique_ptr<Backend> make_backend(const LoadOptions& options) {
    switch (options.backend) {
        case BackendKind::cpu: return std::make_unique<cpu::CpuBackend>(cpu::CpuOptions{.n_threads = options.n_threads, .exact = options.exact});
        case BackendKind::vulkan:
#ifdef HEARTH_HAVE_VULKAN
            return make_vulkan_backend(VulkanOptions{options.device_index});
#else
            throw Error(ErrorKind::unsupported, "this build of Hearth has no Vulkan backend (configure with Vulkan "
                                                "headers, loader and glslc present: apt install libvulkan-dev glslc)");
#endif
    }
    throw Error(ErrorKind::internal, "unknown backend kind");
}

}  // namespace

int default_cpu_threads() { return cpu::default_threads(); }

const char* to_string(BackendKind kind) { return kind == BackendKind::vulkan ? "vulkan" : "cpu"; }

BackendKind parse_backend_kind(std::string_view name) {
    if (name == "cpu") return BackendKind::cpu;
    if (name == "vulkan") return BackendKind::vulkan;
    throw Error(ErrorKind::bad_request, "unknown backend '" + std::string(name) + "': choose cpu or vulkan");
}

std::vector<BackendKind> built_backends() {
#ifdef HEARTH_HAVE_VULKAN
    return {BackendKind::cpu, BackendKind::vulkan};
#else
    return {BackendKind::cpu};
#endif
}

std::unique_ptr<LoadedModel> LoadedModel::load(const std::string& path, const LoadOptions& options) {
    std::unique_ptr<LoadedModel> loaded(new LoadedModel());
    loaded->file_ = gguf::GgufFile::open(path);
    loaded->backend_ = make_backend(options);
    loaded->model_ = load_model(*loaded->file_, *loaded->backend_);
    loaded->tokenizer_ = std::make_unique<tokenizer::Tokenizer>(tokenizer::Tokenizer::from_gguf(*loaded->file_));
    require(loaded->tokenizer_->n_vocab() == loaded->model_->config().n_vocab, ErrorKind::bad_file,
            "the vocabulary has " + std::to_string(loaded->tokenizer_->n_vocab()) + " tokens but the model " +
                std::to_string(loaded->model_->config().n_vocab) + " embeddings");
    if (const auto source = loaded->file_->find_string("tokenizer.chat_template")) {
        loaded->chat_template_ = std::make_unique<ChatTemplate>(*source);
        loaded->chat_template_origin_ = "file";
    } else {
        const auto& tok = *loaded->tokenizer_;
        const std::string_view name = detect_builtin_template(
            loaded->model_->config().architecture, [&](std::string_view text) { return tok.find_token(text).has_value(); });
        loaded->chat_template_ = std::make_unique<ChatTemplate>(builtin_template(name));
        loaded->chat_template_origin_ = std::string(name);
    }
    return loaded;
}

LoadedModel::Facts LoadedModel::facts() const {
    Facts facts;
    uint64_t embedding_bytes = 0;
    bool separate_output = false;
    for (const auto& t : file_->tensors()) {
        facts.weight_bytes += t.nbytes;
        facts.n_params += static_cast<uint64_t>(t.elements());
        if (t.name == "token_embd.weight") embedding_bytes = t.nbytes;
        if (t.name == "output.weight") separate_output = true;
    }
    facts.bytes_per_token = facts.weight_bytes - (separate_output ? embedding_bytes : 0);
    facts.main_type = gguf::quantization_name(*file_);
    facts.size_label = std::string(file_->find_string("general.size_label").value_or("?"));
    return facts;
}

std::vector<int32_t> LoadedModel::chat_prompt(std::span<const ChatMessage> messages, bool add_generation_prompt) const {
    ChatRenderOptions render;
    render.add_generation_prompt = add_generation_prompt;
    render.bos_token = token_text(*tokenizer_, tokenizer_->bos());
    render.eos_token = token_text(*tokenizer_, tokenizer_->eos());
    const std::string text = chat_template_->render(messages, render);
    std::vector<int32_t> tokens = tokenizer_->encode(text, tokenizer::EncodeOptions{false, true});
    const bool wants_bos = tokenizer_->vocab().flags().add_bos && tokenizer_->bos() != tokenizer::no_token;
    if (wants_bos && (tokens.empty() || tokens.front() != tokenizer_->bos())) tokens.insert(tokens.begin(), tokenizer_->bos());
    return tokens;
}

}  // namespace hearth
