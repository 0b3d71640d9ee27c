#pragma once
// Chat prompts from a model's tokenizer.chat_template: a Jinja2 template rendered the way HF
// transformers renders it (trim_blocks, lstrip_blocks, raise_exception, its tojson), by an
// interpreter of our own; plus built-in templates for models whose file carries none.
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/chat/chat_limits.h"

namespace hearth {

namespace jinja {
struct Program;
}

struct ChatMessage {
    std::string role, content;
};

struct ChatRenderOptions {
    bool add_generation_prompt = true;
    std::string bos_token, eos_token;
    // A JSON object whose members become template variables, overriding the defaults
    // (messages, add_generation_prompt, bos_token, eos_token, tools = none, documents = none):
    // e.g. {"tools": [...], "date_string": "26 Jul 2024"}. Empty for none.
    std::string extra_context_json;
    ChatRenderLimits limits;
};

// A parsed template; parse once, render many times (rendering is const and thread-safe).
class ChatTemplate {
public:
    // Throws Error(bad_request) naming the line of a syntax error.
    explicit ChatTemplate(std::string_view source);

    // Throws Error(bad_request) when the template raises (raise_exception), fails at run time
    // (e.g. a strict use of an undefined value) or exceeds options.limits.
    std::string render(std::span<const ChatMessage> messages, const ChatRenderOptions& options) const;

private:
    std::shared_ptr<const jinja::Program> program_;
};

// Parses and renders in one go.
std::string render_chat(std::string_view template_source, std::span<const ChatMessage> messages,
                        const ChatRenderOptions& options);

// Jinja source of a built-in template: chatml, qwen2, llama3, gemma, mistral, phi3.
// Throws Error(bad_request) for an unknown name.
std::string_view builtin_template(std::string_view name);
std::span<const std::string_view> builtin_template_names();

// The built-in template for a model without one. `has_token` (optional) tells whether the
// vocabulary holds a special token such as "<|im_start|>"; those hints win over the GGUF
// architecture name. Falls back to "chatml".
std::string_view detect_builtin_template(std::string_view architecture,
                                         const std::function<bool(std::string_view)>& has_token = {});

}  // namespace hearth
