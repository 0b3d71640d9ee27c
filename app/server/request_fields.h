#pragma once
// Request fields both API dialects share: sampling parameters, stop strings, token budgets,
// message roles and the history extension (store, conversation_id).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "app/server/api_request.h"
#include "app/server/json_reader.h"

namespace hearth::server {

enum class Dialect { openai, ollama };

// temperature, top_k, top_p, min_p, the penalties and seed, read from `fields` (the body for
// OpenAI, "options" for Ollama) over SamplingParams' defaults.
SamplingParams read_sampling(const FieldReader& fields);
// Throws invalid_request when SamplingParams::validate refuses (a backstop: the reads above are
// at least as strict).
void validate_sampling(const SamplingParams& sampling);

// "stop": a string or an array of strings; absent gives none.
std::vector<std::string> read_stop(const FieldReader& fields, const ApiLimits& limits);
// An integer in 1..limits.max_tokens_cap; absent gives the cap.
int32_t read_max_tokens(const FieldReader& fields, std::string_view key, const ApiLimits& limits);

// "role" of a message: system, user, assistant, tool (and OpenAI's developer, read as system).
std::string read_role(const FieldReader& message, Dialect dialect);
// Throws when the messages' texts together exceed limits.max_content_bytes.
void check_content_bytes(std::size_t bytes, const ApiLimits& limits, const std::string& param);
// A dialect's reader of one message object; `path` names it in errors ("messages[2]").
using MessageReader = ChatMessage (*)(const nlohmann::json& value, const std::string& path);
// Every message of the array, read by the dialect's reader; throws when there are more than
// limits.max_messages or their texts together exceed limits.max_content_bytes.
std::vector<ChatMessage> read_message_array(const nlohmann::json& messages, const ApiLimits& limits,
                                            MessageReader read_one);

// store and conversation_id (a Hearth extension); conversation_id implies store.
void read_history_fields(const FieldReader& fields, GenerationRequest& request);

// Refuses a parameter Hearth cannot honour unless it is absent or empty (null, false, "", [],
// {}): e.g. tools, images, logit_bias. `what` names the feature: "tool calling".
void refuse_unless_empty(const FieldReader& fields, std::string_view key, std::string_view what);
// Refuses an integer count other than 1 (n, best_of): 0 is out of range, above 1 unsupported.
void refuse_count_above_one(const FieldReader& fields, std::string_view key, std::string_view what);

}  // namespace hearth::server
