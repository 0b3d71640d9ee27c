#include "core/chat/chat_template.h"

#include <nlohmann/json.hpp>

#include "core/chat/jinja_interpreter.h"
#include "core/chat/jinja_json.h"
#include "core/chat/jinja_parser.h"
#include "core/error.h"

namespace hearth {

namespace {

using Context = std::vector<std::pair<std::string, jinja::Value>>;

void set_variable(Context& context, std::string name, jinja::Value value) {
    for (auto& [key, existing] : context) {
        if (key == name) {
            existing = std::move(value);
            return;
        }
    }
    context.emplace_back(std::move(name), std::move(value));
}

// The variables transformers passes to a chat template, then the caller's extras.
Context build_context(std::span<const ChatMessage> messages, const ChatRenderOptions& options) {
    using jinja::Value;
    std::vector<Value> list;
    list.reserve(messages.size());
    for (const ChatMessage& m : messages) {
        list.push_back(Value::dict({{"role", Value::string(m.role)}, {"content", Value::string(m.content)}}));
    }
    Context context = {
        {"messages", Value::list(std::move(list))},
        {"add_generation_prompt", Value::boolean(options.add_generation_prompt)},
        {"bos_token", Value::string(options.bos_token)},
        {"eos_token", Value::string(options.eos_token)},
        {"tools", Value::none()},
        {"documents", Value::none()},
    };
    if (options.extra_context_json.empty()) return context;
    const auto extra = nlohmann::ordered_json::parse(options.extra_context_json, nullptr, false);
    if (extra.is_discarded() || !extra.is_object()) {
        throw Error(ErrorKind::bad_request, "chat template extra context must be a JSON object");
    }
    try {
        for (const auto& [key, value] : extra.items()) set_variable(context, key, jinja::value_from_json(value));
    } catch (const jinja::TemplateError& e) {
        throw Error(ErrorKind::bad_request, std::string("chat template extra context: ") + e.what());
    }
    return context;
}

// Whatever escapes the interpreter leaves as hearth::Error: its own errors pass through, and
// anything else (which would be a bug) becomes an internal error instead of a crash.
template <typename Fn>
auto guarded(Fn&& fn) {
    try {
        return fn();
    } catch (const Error&) {
        throw;
    } catch (const jinja::TemplateError& e) {
        throw Error(ErrorKind::bad_request, std::string("chat template error: ") + e.what());
    } catch (const std::bad_alloc&) {
        throw Error(ErrorKind::out_of_memory, "out of memory while rendering the chat template");
    } catch (const std::exception& e) {
        throw Error(ErrorKind::internal, std::string("chat template: unexpected failure: ") + e.what());
    }
}

}  // namespace

ChatTemplate::ChatTemplate(std::string_view source)
    : program_(guarded([&] { return std::shared_ptr<const jinja::Program>(jinja::parse_template(source)); })) {}

std::string ChatTemplate::render(std::span<const ChatMessage> messages, const ChatRenderOptions& options) const {
    return guarded([&] {
        jinja::Interpreter interp(options.limits);
        return interp.render(*program_, build_context(messages, options));
    });
}

std::string render_chat(std::string_view template_source, std::span<const ChatMessage> messages,
                        const ChatRenderOptions& options) {
    return ChatTemplate(template_source).render(messages, options);
}

}  // namespace hearth
