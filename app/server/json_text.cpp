#include "app/server/json_text.h"

namespace hearth::server {

std::string json_text(const nlohmann::json& value) {
    return value.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
}

std::string sse_event(const nlohmann::json& value) { return "data: " + json_text(value) + "\n\n"; }

std::string_view sse_done() { return "data: [DONE]\n\n"; }

std::string ndjson_line(const nlohmann::json& value) { return json_text(value) + "\n"; }

}  // namespace hearth::server
