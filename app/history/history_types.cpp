#include "app/history/history_types.h"

#include <array>
#include <cmath>

#include "app/history/json_text.h"
#include "core/error.h"

namespace hearth {

namespace {

constexpr std::array<std::pair<MessageRole, std::string_view>, 4> role_names = {{
    {MessageRole::system, "system"},
    {MessageRole::user, "user"},
    {MessageRole::assistant, "assistant"},
    {MessageRole::tool, "tool"},
}};

void check_timing(const std::optional<double>& value, std::string_view context, std::string_view name) {
    require(!value || (std::isfinite(*value) && *value >= 0), ErrorKind::bad_request,
            std::string(context) + ": " + std::string(name) + " must be a finite number >= 0");
}

}  // namespace

std::string_view to_string(MessageRole role) {
    for (const auto& [value, name] : role_names) {
        if (value == role) return name;
    }
    throw Error(ErrorKind::internal, "unknown message role " + std::to_string(static_cast<int>(role)));
}

MessageRole parse_message_role(std::string_view text) {
    for (const auto& [value, name] : role_names) {
        if (name == text) return value;
    }
    throw Error(ErrorKind::bad_request,
                "unknown message role \"" + std::string(text) + "\" (system, user, assistant or tool)");
}

void check_message_fields(const MessageFields& fields, std::string_view context) {
    const std::string where(context);
    require(fields.prompt_tokens >= 0 && fields.completion_tokens >= 0, ErrorKind::bad_request,
            where + ": token counts must be >= 0");
    check_timing(fields.time_to_first_token_ms, context, "time_to_first_token_ms");
    check_timing(fields.tokens_per_second, context, "tokens_per_second");
    const nlohmann::ordered_json sampling = history::parse_untrusted_json(fields.sampling_json, where + ": sampling");
    require(sampling.is_object(), ErrorKind::bad_request, where + ": sampling must be a JSON object");
}

}  // namespace hearth
