#pragma once
// Wire framing: JSON text on one line, Server-Sent Events for OpenAI streams, NDJSON for Ollama.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace hearth::server {

// Compact JSON on one line (control characters are escaped, so it holds no newline). Invalid
// UTF-8 (a model may emit a lone byte token) becomes U+FFFD instead of throwing.
std::string json_text(const nlohmann::json& value);
// "data: <json>\n\n": one SSE event.
std::string sse_event(const nlohmann::json& value);
// "data: [DONE]\n\n": the event that ends an OpenAI stream.
std::string_view sse_done();
// "<json>\n": one NDJSON line.
std::string ndjson_line(const nlohmann::json& value);

}  // namespace hearth::server
