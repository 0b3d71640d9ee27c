// Special token ids, tokenizer flags and end-of-generation tokens: metadata first, then the
// defaults and token-text conventions llama.cpp applies, so prompts tokenize the same way.
#include <algorithm>
#include <cctype>
#include <span>

#include "core/error.h"
#include "core/tokenizer/vocab.h"

namespace hearth::tokenizer {
namespace {

using Texts = std::span<const std::string_view>;

// Token texts that identify a special role when the metadata does not give its id.
constexpr std::string_view eot_texts[] = {"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>",
                             "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>"};
constexpr std::string_view eom_texts[] = {"<|eom_id|>"};
constexpr std::string_view fim_pre_texts[] = {"<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>", "<|prefix|>"};
constexpr std::string_view fim_suf_texts[] = {"<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>"};
constexpr std::string_view fim_mid_texts[] = {"<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>", "<|middle|>"};
constexpr std::string_view fim_pad_texts[] = {"<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"};
constexpr std::string_view fim_rep_texts[] = {"<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"};
constexpr std::string_view fim_sep_texts[] = {"<|file_sep|>"};

// Tokens that end generation whatever the metadata says.
constexpr std::string_view end_of_generation_texts[] = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>", "<end_of_turn>",
    "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>", "<end_of_utterance>",
    "<eos>", "<turn|>", "<|tool_response>", "<｜end▁of▁sentence｜>", "[e~["};

// gpt-oss markers that must always be rendered.
constexpr std::string_view always_rendered_texts[] = {"<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"};

std::string lowercase_ascii(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace

int32_t Vocab::checked_id(std::optional<int64_t> value, const char* key, int32_t fallback) const {
    if (!value) return fallback;
    if (*value == -1) return no_token;  // some converters write -1 for "none"
    if (*value < 0 || *value >= size())
        throw Error(ErrorKind::bad_file, std::string(key) + " = " + std::to_string(*value) + " is out of range (the vocab has " +
                                             std::to_string(size()) + " tokens)");
    return static_cast<int32_t>(*value);
}

void Vocab::resolve_special_ids(const VocabSpec& spec) {
    // llama.cpp's SPM defaults (LLaMA's <unk> <s> </s>); BPE vocabs have none.
    auto spm_default = [&](int32_t id) { return kind_ == VocabKind::spm && id < size() ? id : no_token; };
    special_.bos = checked_id(spec.bos_id, "tokenizer.ggml.bos_token_id", spm_default(1));
    special_.eos = checked_id(spec.eos_id, "tokenizer.ggml.eos_token_id", spm_default(2));
    special_.unknown = checked_id(spec.unknown_id, "tokenizer.ggml.unknown_token_id", spm_default(0));
    special_.eot = checked_id(spec.eot_id, "tokenizer.ggml.eot_token_id", no_token);
    special_.eom = checked_id(spec.eom_id, "tokenizer.ggml.eom_token_id", no_token);
    special_.fim_pre = checked_id(spec.fim_pre_id, "tokenizer.ggml.fim_pre_token_id", no_token);
    special_.fim_suf = checked_id(spec.fim_suf_id, "tokenizer.ggml.fim_suf_token_id", no_token);
    special_.fim_mid = checked_id(spec.fim_mid_id, "tokenizer.ggml.fim_mid_token_id", no_token);
    special_.fim_pad = checked_id(spec.fim_pad_id, "tokenizer.ggml.fim_pad_token_id", no_token);
    special_.fim_rep = checked_id(spec.fim_rep_id, "tokenizer.ggml.fim_rep_token_id", no_token);
    special_.fim_sep = checked_id(spec.fim_sep_id, "tokenizer.ggml.fim_sep_token_id", no_token);
    // Converters sometimes write a padding id one past the vocab; it is never encoded, so an
    // unusable one is dropped rather than rejecting the model.
    const bool padding_usable = spec.padding_id && *spec.padding_id >= 0 && *spec.padding_id < size();
    special_.padding = padding_usable ? static_cast<int32_t>(*spec.padding_id) : no_token;
    if (pre_tokenizer_ && pre_tokenizer_->traits().drop_bos) special_.bos = no_token;
}

void Vocab::resolve_flags(const VocabSpec& spec) {
    if (kind_ == VocabKind::spm) {
        flags_ = {.add_bos = true, .add_space_prefix = true};
    } else {
        const PreTokenizerTraits& traits = pre_tokenizer_->traits();
        flags_ = {.add_bos = traits.add_bos, .clean_spaces = traits.clean_spaces, .ignore_merges = traits.ignore_merges};
    }
    flags_.add_bos = spec.add_bos.value_or(flags_.add_bos);
    flags_.add_eos = spec.add_eos.value_or(flags_.add_eos);
    flags_.add_space_prefix = spec.add_space_prefix.value_or(flags_.add_space_prefix);
    flags_.remove_extra_whitespaces = spec.remove_extra_whitespaces.value_or(false);
    if (flags_.add_bos && special_.bos == no_token)
        throw Error(ErrorKind::bad_file, "tokenizer.ggml.add_bos_token is true but the vocab has no BOS token");
    if (flags_.add_eos && special_.eos == no_token)
        throw Error(ErrorKind::bad_file, "tokenizer.ggml.add_eos_token is true but the vocab has no EOS token");
}

void Vocab::mark_end_of_generation() {
    // llama.cpp makes these control tokens even when the file says otherwise.
    auto make_control = [this](int32_t id) { info_[static_cast<size_t>(id)].type = TokenType::control; };
    // Roles missing from the metadata are found by their conventional text.
    auto detect = [&](int32_t& role, Texts texts) {
        if (role != no_token) return;
        for (std::string_view candidate : texts) {
            if (const auto id = find(candidate)) {
                role = *id;
                make_control(*id);
                return;
            }
        }
    };
    detect(special_.eot, eot_texts);
    detect(special_.eom, eom_texts);
    detect(special_.fim_pre, fim_pre_texts);
    detect(special_.fim_suf, fim_suf_texts);
    detect(special_.fim_mid, fim_mid_texts);
    detect(special_.fim_pad, fim_pad_texts);
    detect(special_.fim_rep, fim_rep_texts);
    detect(special_.fim_sep, fim_sep_texts);

    std::vector<int32_t> ids;
    for (int32_t role : {special_.fim_pad, special_.fim_rep, special_.fim_sep, special_.eos, special_.eot, special_.eom})
        if (role != no_token) ids.push_back(role);
    for (std::string_view candidate : end_of_generation_texts) {
        if (const auto id = find(candidate)) {
            ids.push_back(*id);
            make_control(*id);
        }
    }
    for (std::string_view candidate : always_rendered_texts)
        if (const auto id = find(candidate)) info_[static_cast<size_t>(*id)].type = TokenType::user_defined;

    auto drop = [&](std::string_view candidate, TokenType new_type) {
        const auto id = find(candidate);
        if (!id) return;
        ids.erase(std::remove(ids.begin(), ids.end(), *id), ids.end());
        info_[static_cast<size_t>(*id)].type = new_type;
    };
    auto has = [&](std::string_view candidate) {
        const auto id = find(candidate);
        return id && std::find(ids.begin(), ids.end(), *id) != ids.end();
    };
    // gpt-oss (and solar-open) end a message with <|end|> but keep generating after it.
    if (has("<|end|>") && ((has("<|return|>") && has("<|call|>")) || (has("<|calls|>") && has("<|flush|>"))))
        drop("<|end|>", TokenType::user_defined);
    // Gemma 4 uses </s> as ordinary text.
    if (has("<|tool_response>") && has("</s>")) drop("</s>", TokenType::normal);

    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    end_of_generation_ = std::move(ids);
}

void Vocab::apply_model_quirks(const VocabSpec& spec) {
    // Phi-3's special tokens swallow the white space after them (llama.cpp keys this on the name).
    const std::string name = lowercase_ascii(spec.model_name);
    if (name.find("phi-3") == std::string::npos && name.find("phi3") == std::string::npos) return;
    for (int32_t id : special_by_length_) info_[static_cast<size_t>(id)].rstrip = true;
    if (const auto id = find("</s>")) info_[static_cast<size_t>(*id)].rstrip = true;
    for (std::string_view text : {"<unk>", "<s>", "<|endoftext|>"})
        if (const auto id = find(text)) info_[static_cast<size_t>(*id)].rstrip = false;
}

}  // namespace hearth::tokenizer
