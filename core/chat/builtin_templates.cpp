// Built-in chat templates for models whose GGUF has no tokenizer.chat_template. Each renders
// plain role/content conversations the way the named model family's own template does.
#include <array>
#include <utility>

#include "core/chat/chat_template.h"
#include "core/error.h"

namespace hearth {

namespace {

constexpr std::string_view kChatml = R"({%- for message in messages -%}
{{- '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}
{{- '<|im_start|>assistant\n' -}}
{%- endif -%}
)";

// ChatML with Qwen2's default system prompt when the conversation brings none.
constexpr std::string_view kQwen2 = R"({%- if not messages or messages[0]['role'] != 'system' -%}
{{- '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n' -}}
{%- endif -%}
{%- for message in messages -%}
{{- '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}
{{- '<|im_start|>assistant\n' -}}
{%- endif -%}
)";

constexpr std::string_view kLlama3 = R"({%- for message in messages -%}
{%- if loop.first -%}{{- bos_token -}}{%- endif -%}
{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' + message['content'] | trim + '<|eot_id|>' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}
{{- '<|start_header_id|>assistant<|end_header_id|>\n\n' -}}
{%- endif -%}
)";

// Gemma has no system role: a system message is prepended to the first user turn.
constexpr std::string_view kGemma = R"({{- bos_token -}}
{%- if messages and messages[0]['role'] == 'system' -%}
{%- set first_user_prefix = messages[0]['content'] + '\n\n' -%}
{%- set loop_messages = messages[1:] -%}
{%- else -%}
{%- set first_user_prefix = '' -%}
{%- set loop_messages = messages -%}
{%- endif -%}
{%- for message in loop_messages -%}
{%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}
{{- raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') -}}
{%- endif -%}
{%- set role = 'model' if message['role'] == 'assistant' else message['role'] -%}
{{- '<start_of_turn>' + role + '\n' + (first_user_prefix if loop.first else '') + message['content'] | trim + '<end_of_turn>\n' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}
{{- '<start_of_turn>model\n' -}}
{%- endif -%}
)";

// Mistral v0.3 ([INST] turns); the system message goes into the last user turn.
constexpr std::string_view kMistral = R"({%- if messages and messages[0]['role'] == 'system' -%}
{%- set system_message = messages[0]['content'] -%}
{%- set loop_messages = messages[1:] -%}
{%- else -%}
{%- set loop_messages = messages -%}
{%- endif -%}
{{- bos_token -}}
{%- for message in loop_messages -%}
{%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}
{{- raise_exception('After the optional system message, conversation roles must alternate user/assistant/user/assistant/...') -}}
{%- endif -%}
{%- if message['role'] == 'user' -%}
{%- if loop.last and system_message is defined -%}
{{- '[INST] ' + system_message + '\n\n' + message['content'] + '[/INST]' -}}
{%- else -%}
{{- '[INST] ' + message['content'] + '[/INST]' -}}
{%- endif -%}
{%- elif message['role'] == 'assistant' -%}
{{- ' ' + message['content'] | trim + eos_token -}}
{%- else -%}
{{- raise_exception('Only user and assistant roles are supported, with the exception of an initial optional system message!') -}}
{%- endif -%}
{%- endfor -%}
)";

constexpr std::string_view kPhi3 = R"({%- for message in messages -%}
{%- if message['role'] in ['system', 'user', 'assistant'] -%}
{{- '<|' + message['role'] + '|>\n' + message['content'] + '<|end|>\n' -}}
{%- endif -%}
{%- endfor -%}
{%- if add_generation_prompt -%}
{{- '<|assistant|>\n' -}}
{%- else -%}
{{- eos_token -}}
{%- endif -%}
)";

constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kTemplates = {{
    {"chatml", kChatml},
    {"qwen2", kQwen2},
    {"llama3", kLlama3},
    {"gemma", kGemma},
    {"mistral", kMistral},
    {"phi3", kPhi3},
}};

constexpr std::array<std::string_view, 6> kNames = {"chatml", "qwen2", "llama3", "gemma", "mistral", "phi3"};

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

std::string_view builtin_template(std::string_view name) {
    for (const auto& [key, source] : kTemplates) {
        if (key == name) return source;
    }
    std::string known;
    for (std::string_view n : kNames) known += (known.empty() ? "" : ", ") + std::string(n);
    throw Error(ErrorKind::bad_request, "unknown chat template '" + std::string(name) + "' (built-in: " + known + ")");
}

std::span<const std::string_view> builtin_template_names() { return kNames; }

std::string_view detect_builtin_template(std::string_view architecture,
                                         const std::function<bool(std::string_view)>& has_token) {
    if (has_token) {
        if (has_token("<|im_start|>")) return starts_with(architecture, "qwen2") ? "qwen2" : "chatml";
        if (has_token("<|start_header_id|>")) return "llama3";
        if (has_token("<start_of_turn>")) return "gemma";
        if (has_token("<|assistant|>") && has_token("<|end|>")) return "phi3";
        if (has_token("[INST]")) return "mistral";
    }
    if (starts_with(architecture, "qwen2")) return "qwen2";
    if (starts_with(architecture, "gemma")) return "gemma";
    if (starts_with(architecture, "phi3")) return "phi3";
    if (architecture == "llama") return "llama3";
    return "chatml";
}

}  // namespace hearth
