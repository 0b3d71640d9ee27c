#include "core/engine/loaded_model.h"

#include <map>

#include "backends/cpu/cpu_backend.h"
#include "core/error.h"

namespace hearth {
namespace {

std::string token_text(const tokenizer::Tokenizer& tok, int32_t id) {
    return id == tokenizer::no_token ? std::string() : tok.token_to_piece(id, tokenizer::PieceOptions{true});
}

}  // namespace

std::unique_ptr<LoadedModel> LoadedModel::load(const std::string& path, const LoadOptions& options) {
    std::unique_ptr<LoadedModel> loaded(new LoadedModel());
    loaded->file_ = gguf::GgufFile::open(path);
    loaded->backend_ = std::make_unique<cpu::CpuBackend>(cpu::CpuOptions{options.n_threads});
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

namespace {

// GGUF general.file_type: llama.cpp's llama_ftype values ("mostly" the named type; the K mixes
// keep some tensors in other types, which is why the bytes alone cannot name them).
std::string file_type_name(int64_t file_type) {
    switch (file_type) {
        case 0: return "F32";
        case 1: return "F16";
        case 2: return "Q4_0";
        case 3: return "Q4_1";
        case 7: return "Q8_0";
        case 8: return "Q5_0";
        case 9: return "Q5_1";
        case 10: return "Q2_K";
        case 11: return "Q3_K_S";
        case 12: return "Q3_K_M";
        case 13: return "Q3_K_L";
        case 14: return "Q4_K_S";
        case 15: return "Q4_K_M";
        case 16: return "Q5_K_S";
        case 17: return "Q5_K_M";
        case 18: return "Q6_K";
        case 32: return "BF16";
        default: return {};
    }
}

}  // namespace

LoadedModel::Facts LoadedModel::facts() const {
    Facts facts;
    std::map<std::string, uint64_t> bytes_by_type;
    for (const auto& t : file_->tensors()) {
        facts.weight_bytes += t.nbytes;
        facts.n_params += static_cast<uint64_t>(t.elements());
        if (t.shape.size() == 2) bytes_by_type[std::string(dtype_info(t.type).name)] += t.nbytes;
    }
    uint64_t most = 0;
    for (const auto& [name, bytes] : bytes_by_type)
        if (bytes > most) most = bytes, facts.main_type = name;
    if (const auto file_type = file_->find_int("general.file_type")) {
        const std::string named = file_type_name(*file_type);
        if (!named.empty()) facts.main_type = named;
    }
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
